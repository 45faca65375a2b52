//! Look shared by every chart: the bundled font, the colour-blind-safe Okabe–Ito palette with
//! one fixed colour per body side, sizes, and the rendering of a chart to SVG and PNG.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::error::{Error, Result};
use crate::gait::Side;

/// Font family name used in every chart (and in the SVG `font-family` attributes).
pub const FONT: &str = "DejaVu Sans";

/// DejaVu Sans 2.37 (Bitstream Vera licence, see `assets/DejaVu-LICENSE.txt`).
pub const FONT_REGULAR_TTF: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
pub const FONT_BOLD_TTF: &[u8] = include_bytes!("../assets/DejaVuSans-Bold.ttf");

/// Registers the bundled font with plotters once per process, so rendering needs no system
/// fonts and gives the same pixels on every machine.
pub fn ensure_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        [FONT, "sans-serif"].into_iter().all(|family| {
            register_font(family, FontStyle::Normal, FONT_REGULAR_TTF).is_ok()
                && register_font(family, FontStyle::Bold, FONT_BOLD_TTF).is_ok()
        })
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Unsupported(
            "the bundled chart font (DejaVu Sans) could not be loaded".into(),
        ))
    }
}

/// Okabe & Ito (2008) colour-universal-design palette.
pub mod okabe_ito {
    use plotters::style::RGBColor;
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    pub const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);
    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
}

/// The wearer's left side, in every chart.
pub const LEFT: RGBColor = okabe_ito::BLUE;
/// The wearer's right side, in every chart.
pub const RIGHT: RGBColor = okabe_ito::VERMILLION;
/// Typical (normal) range shading.
pub const NORMAL_BAND: RGBColor = okabe_ito::BLUISH_GREEN;
pub const IMPROVED: RGBColor = okabe_ito::BLUISH_GREEN;
pub const WORSE: RGBColor = okabe_ito::REDDISH_PURPLE;
/// Sessions without sides: the earlier one grey, the later one black.
pub const BEFORE: RGBColor = RGBColor(136, 136, 136);
pub const AFTER: RGBColor = okabe_ito::BLACK;
pub const GRID: RGBColor = RGBColor(225, 225, 225);
pub const TEXT: RGBColor = RGBColor(20, 20, 20);

pub fn side_colour(side: Side) -> RGBColor {
    match side {
        Side::Left => LEFT,
        Side::Right => RIGHT,
    }
}

/// Alpha of the earlier session's fill where before and after share a side colour.
pub const BEFORE_ALPHA: f64 = 0.35;
pub const BAND_ALPHA: f64 = 0.15;

pub const TITLE_PX: u32 = 26;
pub const SUBTITLE_PX: u32 = 18;
pub const LABEL_PX: u32 = 18;
pub const TICK_PX: u32 = 16;

pub fn font(px: u32) -> TextStyle<'static> {
    (FONT, px).into_font().color(&TEXT)
}

pub fn bold(px: u32) -> TextStyle<'static> {
    (FONT, px, FontStyle::Bold).into_font().color(&TEXT)
}

/// Result of drawing onto one backend.
pub type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart kind: data plus how to draw it on any plotters backend.
pub trait Chart {
    /// File name without extension, e.g. `side_bars`.
    fn stem(&self) -> String;
    /// Title stating the finding, e.g. "Step time: SI +8.2 % (right longer) → +2.1 %".
    fn title(&self) -> String;
    /// What is plotted, in one line.
    fn subtitle(&self) -> String;
    fn size(&self) -> (u32, u32) {
        (1100, 620)
    }
    /// Draws the plot below the title lines.
    fn draw_body<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

fn draw_chart<C: Chart, DB: DrawingBackend>(
    chart: &C,
    root: DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let (head, body) = root.split_vertically(TITLE_PX + SUBTITLE_PX + 30);
    let width = head.dim_in_pixel().0.saturating_sub(32);
    let title = chart.title();
    let subtitle = chart.subtitle();
    let title_px = fitting_px(&head, &title, TITLE_PX, width, true)?;
    let subtitle_px = fitting_px(&head, &subtitle, SUBTITLE_PX, width, false)?;
    head.draw(&Text::new(title, (16, 10), bold(title_px)))?;
    head.draw(&Text::new(
        subtitle,
        (16, 16 + TITLE_PX as i32),
        font(subtitle_px).color(&RGBColor(70, 70, 70)),
    ))?;
    chart.draw_body(&body)?;
    root.present()
}

/// Largest font size ≤ `px` (down to 60 % of it) at which `text` fits into `width` pixels.
fn fitting_px<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    px: u32,
    width: u32,
    is_bold: bool,
) -> std::result::Result<u32, DrawingAreaErrorKind<DB::ErrorType>> {
    let min = px * 6 / 10;
    let mut size = px;
    while size > min {
        let style = if is_bold { bold(size) } else { font(size) };
        if area.estimate_text_size(text, &style)?.0 <= width {
            break;
        }
        size -= 1;
    }
    Ok(size)
}

/// A chart rendered to SVG text and, when written, its files.
#[derive(Debug, Clone)]
pub struct RenderedChart {
    pub stem: String,
    pub title: String,
    pub subtitle: String,
    pub svg: String,
    /// `<dir>/<stem>.svg` and `<dir>/<stem>.png` when written to a folder.
    pub files: Option<(PathBuf, PathBuf)>,
}

fn drawing_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::io(
        path,
        std::io::Error::other(format!("cannot draw chart: {e}")),
    )
}

/// Renders a chart to SVG text.
pub fn render_svg<C: Chart>(chart: &C) -> Result<RenderedChart> {
    ensure_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
        draw_chart(chart, root)
            .map_err(|e| drawing_error(Path::new(&format!("{}.svg", chart.stem())), e))?;
    }
    Ok(RenderedChart {
        stem: chart.stem(),
        title: chart.title(),
        subtitle: chart.subtitle(),
        svg,
        files: None,
    })
}

/// Renders a chart and writes `<dir>/<stem>.svg` and `<dir>/<stem>.png`.
pub fn write_chart<C: Chart>(chart: &C, dir: &Path) -> Result<RenderedChart> {
    let mut rendered = render_svg(chart)?;
    let svg_path = dir.join(format!("{}.svg", rendered.stem));
    let png_path = dir.join(format!("{}.png", rendered.stem));
    std::fs::write(&svg_path, &rendered.svg).map_err(|e| Error::io(&svg_path, e))?;
    {
        let root = BitMapBackend::new(&png_path, chart.size()).into_drawing_area();
        draw_chart(chart, root).map_err(|e| drawing_error(&png_path, e))?;
    }
    rendered.files = Some((svg_path, png_path));
    Ok(rendered)
}

/// Draws `text` centred below the x axis of a cartesian chart at data position `x`
/// (category labels of bar charts).
pub fn x_category_label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pixel_of: impl Fn(f64) -> (i32, i32),
    x: f64,
    text: &str,
    style: &TextStyle,
) -> DrawResult<DB> {
    let (px, py) = pixel_of(x);
    let (bx, by) = area.get_base_pixel();
    let style = style.pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Top,
    ));
    area.draw(&Text::new(text.to_string(), (px - bx, py - by + 8), style))
}

/// One row of legend entries (a filled swatch and its label) from the left of `area`.
pub fn swatch_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(&str, RGBAColor)],
) -> DrawResult<DB> {
    let mut x = 70;
    let y = 14;
    for (label, colour) in entries {
        area.draw(&Rectangle::new([(x, y), (x + 22, y + 18)], colour.filled()))?;
        area.draw(&Text::new(
            label.to_string(),
            (x + 30, y + 1),
            font(TICK_PX),
        ))?;
        x += 30 + (label.chars().count() as i32) * 9 + 30;
    }
    Ok(())
}

/// A chart with f64 axes on `DB`, or the backend's drawing error.
pub type CartesianChart<'a, DB> = std::result::Result<
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>,
>;

/// Plot of bars over `categories` unlabelled x slots (label them with [`x_category_label`]):
/// horizontal grid only, whole-number y ticks, `y_desc` on the y axis.
pub fn bar_chart<'a, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    categories: f64,
    y: std::ops::Range<f64>,
    y_desc: &str,
) -> CartesianChart<'a, DB> {
    let mut chart = ChartBuilder::on(&area.margin(8, 16, 16, 16))
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..categories, y)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .y_desc(y_desc)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .axis_desc_style(font(TICK_PX))
        .label_style(font(TICK_PX))
        .draw()?;
    Ok(chart)
}
