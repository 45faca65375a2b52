//! Checks of chart files shared by the chart tests: PNG decoding and SVG parsing.

use std::path::Path;

/// Decodes a PNG and returns (width, height, RGBA pixels).
pub fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    (info.width, info.height, rgba)
}

/// Parses an SVG document as XML; returns the root element name, its width/height
/// attributes and all text content.
pub fn parse_svg(svg: &str) -> (String, String, String, String) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let (mut root, mut width, mut height, mut text) =
        (String::new(), String::new(), String::new(), String::new());
    let mut depth = 0usize;
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("invalid SVG at {}: {e}", reader.buffer_position()))
        {
            Event::Start(e) => {
                if depth == 0 {
                    root = AsRef::<str>::as_ref(&e.name()).to_string();
                    for a in e.attributes() {
                        let a = a.unwrap();
                        let v = a.value.to_string(); // plain numbers: nothing to unescape
                        match AsRef::<str>::as_ref(&a.key) {
                            "width" => width = v,
                            "height" => height = v,
                            _ => {}
                        }
                    }
                }
                depth += 1;
            }
            Event::End(_) => depth -= 1,
            Event::Text(t) => {
                text.push_str(&t.xml10_content());
                text.push('\n');
            }
            Event::GeneralRef(r) => {
                // Entity references (&amp; etc.) come as separate events.
                let name = r.to_string();
                text.push_str(match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "?",
                });
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unbalanced SVG elements");
    (root, width, height, text)
}
