//! Byte-level reader of plain sensor CSVs: a header of column names and rows of unquoted
//! comma-separated numbers. It accepts only files that the full reader
//! ([`super::ImuTable::from_reader`]) also accepts, with the same values: numbers go through
//! the same parser (short decimals through the exact fast path of that parser, see
//! [`decimal`]), and the same range, order, count and timing checks run. Anything else —
//! quotes, blank lines, whitespace, a bad value, a failed check — gives `None`, and the
//! caller reads the input with the full reader, which says exactly what is wrong and where.
//!
//! The rows are cut into line-aligned blocks of about [`BLOCK_BYTES`]; the lines of every
//! block are counted first, so the columns are allocated once at their final length and each
//! block is parsed on any core straight into its own part of them (no per-line allocation,
//! no growth, no copy). The order of the timestamps across blocks is checked after.

use rayon::prelude::*;

use super::{check_range, parse_number, ImuTable, HEADER, MAX_LINE_BYTES};
use crate::recording::resample::{check_timing, TableGrid, MAX_SAMPLES};

/// Bytes of rows per block parsed as one piece of work.
pub(super) const BLOCK_BYTES: usize = 256 << 10;

/// Parses a whole CSV held in memory; `None` = not for this reader.
pub(super) fn parse(bytes: &[u8]) -> Option<ImuTable> {
    let table = parse_blocks(bytes, BLOCK_BYTES)?;
    if table.is_empty() || check_timing(&table.time_s).is_err() {
        return None;
    }
    Some(table)
}

/// [`parse`], with the grid of the time column: [`TableGrid::of`] fails exactly where
/// [`check_timing`] does.
pub(super) fn parse_gridded(bytes: &[u8]) -> Option<(ImuTable, TableGrid)> {
    let table = parse_blocks(bytes, BLOCK_BYTES)?;
    if table.is_empty() {
        return None;
    }
    let grid = TableGrid::of(&table.time_s).ok()?;
    Some((table, grid))
}

/// Parses one chunk of a longer CSV (its header line, then rows): the rows as [`parse`]
/// reads them, without the checks that concern the whole recording (at least one row, the
/// timing); `None` = not for this reader.
pub(super) fn parse_rows(bytes: &[u8]) -> Option<ImuTable> {
    parse_blocks(bytes, BLOCK_BYTES)
}

/// [`parse_rows`] of a header line (without its line break) followed by `rows`, held apart
/// (the rows in place in a mapped file). `counted` are the lengths and line counts of
/// line-aligned pieces that start `rows`, as the caller found them while cutting the rows:
/// they are taken as blocks and not counted again.
pub(super) fn parse_rows_after(
    header: &[u8],
    rows: &[u8],
    counted: &[(usize, usize)],
) -> Option<ImuTable> {
    parse_header_rows(header, rows, BLOCK_BYTES, counted)
}

/// The header line, then the rows in blocks of about `block_bytes` parsed in parallel.
fn parse_blocks(bytes: &[u8], block_bytes: usize) -> Option<ImuTable> {
    let (header, body) = match memchr::memchr(b'\n', bytes) {
        Some(i) => (&bytes[..i], &bytes[i + 1..]),
        None => (bytes, &bytes[bytes.len()..]),
    };
    parse_header_rows(header, body, block_bytes, &[])
}

/// A header line (without its line break), then the rows in blocks parsed in parallel: the
/// pieces of `counted` (byte length and lines of each, line-aligned, from the start of
/// `body`), then blocks of about `block_bytes`.
fn parse_header_rows(
    header: &[u8],
    body: &[u8],
    block_bytes: usize,
    counted: &[(usize, usize)],
) -> Option<ImuTable> {
    let cols = Columns::from_header(header)?;
    let mut blocks: Vec<(&[u8], Option<usize>)> = Vec::new();
    let mut rest = body;
    for &(len, lines) in counted {
        let (block, next) = rest.split_at_checked(len)?;
        blocks.push((block, Some(lines)));
        rest = next;
    }
    while !rest.is_empty() {
        let cut = if rest.len() <= block_bytes {
            rest.len()
        } else {
            memchr::memchr(b'\n', &rest[block_bytes..]).map_or(rest.len(), |i| block_bytes + i + 1)
        };
        let (block, next) = rest.split_at(cut);
        blocks.push((block, None));
        rest = next;
    }
    let rows: Vec<usize> = blocks
        .par_iter()
        .map(|&(b, n)| n.unwrap_or_else(|| line_count(b)))
        .collect();
    let total: usize = rows.iter().sum();
    if total > MAX_SAMPLES {
        return None;
    }
    let mut table = ImuTable {
        time_s: vec![0.0; total],
        acc_mps2: std::array::from_fn(|_| vec![0.0; total]),
        gyr_dps: std::array::from_fn(|_| vec![0.0; total]),
    };
    {
        let [ax, ay, az] = &mut table.acc_mps2;
        let [gx, gy, gz] = &mut table.gyr_dps;
        let mut out: [&mut [f64]; 7] = [
            &mut table.time_s[..],
            &mut ax[..],
            &mut ay[..],
            &mut az[..],
            &mut gx[..],
            &mut gy[..],
            &mut gz[..],
        ];
        let mut jobs = Vec::with_capacity(blocks.len());
        for (&(block, _), &n) in blocks.iter().zip(&rows) {
            let part: [&mut [f64]; 7] = std::array::from_fn(|k| {
                let (head, tail) = std::mem::take(&mut out[k]).split_at_mut(n);
                out[k] = tail;
                head
            });
            jobs.push((block, part));
        }
        if !jobs
            .into_par_iter()
            .all(|(block, part)| cols.block(block, part).is_some())
        {
            return None;
        }
    }
    // time must increase across the blocks' boundaries too
    let mut first = 0usize;
    for &n in &rows {
        if first > 0 && n > 0 && table.time_s[first] <= table.time_s[first - 1] {
            return None;
        }
        first += n;
    }
    Some(table)
}

/// Lines of a block: its line ends, and a last line without one.
fn line_count(block: &[u8]) -> usize {
    bytecount::count(block, b'\n') + usize::from(block.last().is_some_and(|&b| b != b'\n'))
}

/// Where the header puts [`HEADER`]'s columns.
struct Columns {
    /// Column of each field: index into [`HEADER`], or 7 for a column that is not read.
    role: Vec<u8>,
}

impl Columns {
    fn from_header(line: &[u8]) -> Option<Columns> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty()
            || line.len() >= MAX_LINE_BYTES
            || !line
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b',')
        {
            return None;
        }
        let names: Vec<&[u8]> = line.split(|&b| b == b',').collect();
        let mut role = vec![7; names.len()];
        for (k, name) in HEADER.iter().enumerate() {
            let i = names
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name.as_bytes()))?;
            role[i] = k as u8;
        }
        Some(Columns { role })
    }

    /// The rows of a block into `out` (time, acc x y z, gyr x y z; one value per line),
    /// with time increasing from row to row.
    fn block(&self, block: &[u8], mut out: [&mut [f64]; 7]) -> Option<()> {
        let mut start = 0usize;
        let mut values = [0.0f64; 7];
        let mut row = 0usize;
        while start < block.len() {
            // a line of plain fields is read in the one pass that finds its end; any other
            // line is cut at its line end and read as before
            let next = match plain_line(block, start, &self.role, &mut values) {
                Some(next) => next,
                None => {
                    let end =
                        memchr::memchr(b'\n', &block[start..]).map_or(block.len(), |i| start + i);
                    let line = &block[start..end];
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    if line.is_empty() || line.len() >= MAX_LINE_BYTES {
                        return None;
                    }
                    if !plain_fields(line, &self.role, &mut values) {
                        self.general_fields(line, &mut values)?;
                    }
                    end + 1
                }
            };
            if row > 0 && values[0] <= out[0][row - 1] {
                return None;
            }
            for (col, &v) in out.iter_mut().zip(&values) {
                *col.get_mut(row)? = v;
            }
            row += 1;
            start = next;
        }
        Some(())
    }

    /// The fields of a line in any form the full reader's number parser takes.
    fn general_fields(&self, line: &[u8], values: &mut [f64; 7]) -> Option<()> {
        let mut field = 0usize;
        for f in line.split(|&b| b == b',') {
            let role = *self.role.get(field)?;
            field += 1;
            if role == 7 {
                if f.iter().any(|&b| matches!(b, b'"' | b'\r' | 0)) {
                    return None;
                }
                continue;
            }
            let v = decimal(f).or_else(|| {
                if f.iter()
                    .any(|&b| !matches!(b, b'0'..=b'9' | b'.' | b'-' | b'+' | b'e' | b'E'))
                {
                    return None;
                }
                parse_number(f)
            })?;
            check_range(role as usize, v).ok()?;
            values[role as usize] = v;
        }
        (field == self.role.len()).then_some(())
    }
}

/// One pass over a line whose every field has the [`decimal`] form, with the same values
/// and range checks; `false` for any other line (the general path then reads it).
#[inline]
fn plain_fields(line: &[u8], role: &[u8], values: &mut [f64; 7]) -> bool {
    plain_run(line, 0, role, values) == Some(line.len())
}

/// [`plain_fields`] of the line of `bytes` that starts at `start`, found in the same pass: the
/// start of the next line when the line ends at a line break (`\n` or `\r\n`) or at the end of
/// `bytes`, and is shorter than [`MAX_LINE_BYTES`] without its line break; `None` otherwise
/// (the caller then reads the line as any other).
#[inline]
fn plain_line(bytes: &[u8], start: usize, role: &[u8], values: &mut [f64; 7]) -> Option<usize> {
    let end = plain_run(bytes, start, role, values)?;
    if end - start >= MAX_LINE_BYTES {
        return None;
    }
    match bytes.get(end) {
        None => Some(end),
        Some(b'\n') => Some(end + 1),
        Some(b'\r') => match bytes.get(end + 1) {
            None => Some(end + 1),
            Some(b'\n') => Some(end + 2),
            Some(_) => None,
        },
        Some(_) => None,
    }
}

/// The fields of [`plain_fields`] from `bytes[i..]`, one per entry of `role`: where the last
/// one ends (at the end of `bytes` or at a byte other than a comma), or `None` when a field
/// is not of the plain form or out of range, or there are fewer fields.
#[inline]
fn plain_run(bytes: &[u8], mut i: usize, role: &[u8], values: &mut [f64; 7]) -> Option<usize> {
    let n = bytes.len();
    let mut field = 0usize;
    loop {
        let &r = role.get(field)?;
        let neg = bytes.get(i) == Some(&b'-');
        i += usize::from(neg);
        let mut m: u64 = 0;
        let int_start = i;
        while i < n && bytes[i].wrapping_sub(b'0') < 10 {
            m = m.wrapping_mul(10).wrapping_add(u64::from(bytes[i] - b'0'));
            i += 1;
        }
        let int_digits = i - int_start;
        let mut k = 0usize;
        if i < n && bytes[i] == b'.' {
            i += 1;
            let frac_start = i;
            while i < n && bytes[i].wrapping_sub(b'0') < 10 {
                m = m.wrapping_mul(10).wrapping_add(u64::from(bytes[i] - b'0'));
                i += 1;
            }
            k = i - frac_start;
            if k == 0 {
                return None;
            }
        }
        if int_digits == 0 || int_digits + k > 19 || m > (1u64 << 53) || k > 22 {
            return None;
        }
        if r != 7 {
            // the sign bit set without a branch (signs alternate unpredictably), as `-v`
            let v = m as f64 / POW10[k];
            let v = f64::from_bits(v.to_bits() | u64::from(neg) << 63);
            if check_range(r as usize, v).is_err() {
                return None;
            }
            values[r as usize] = v;
        }
        field += 1;
        if i == n || bytes[i] != b',' {
            return (field == role.len()).then_some(i);
        }
        i += 1;
    }
}

/// Exact powers of ten (every one up to 1e22 is a double).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `-?DIGITS(.DIGITS)?` with at most 2^53 as the digits' integer and at most 22 decimals:
/// the digits and the power of ten are exact doubles, so one IEEE division gives the correctly
/// rounded value, the same double as any correct parser (Clinger's fast path, which
/// `fast-float2` takes for these inputs too). `None` for every other form.
#[inline]
fn decimal(f: &[u8]) -> Option<f64> {
    let (neg, digits) = match f.first()? {
        b'-' => (true, &f[1..]),
        _ => (false, f),
    };
    let mut m: u64 = 0;
    let mut n_digits = 0usize;
    let mut frac: Option<usize> = None;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                n_digits += 1;
                if n_digits > 19 {
                    return None;
                }
                m = m * 10 + u64::from(b - b'0');
                if let Some(d) = frac.as_mut() {
                    *d += 1;
                }
            }
            b'.' if frac.is_none() && n_digits > 0 => frac = Some(0),
            _ => return None,
        }
    }
    let k = match frac {
        Some(0) => return None,
        Some(k) => k,
        None if n_digits == 0 => return None,
        None => 0,
    };
    if m > (1u64 << 53) || k > 22 {
        return None;
    }
    let v = m as f64 / POW10[k];
    Some(if neg { -v } else { v })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Uniform draws below `n` from a 64-bit linear congruential generator seeded with `seed`.
    pub(in crate::recording) fn lcg(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        }
    }

    /// [`line_count`], for the reader's tests.
    pub(in crate::recording) fn lines_of(bytes: &[u8]) -> usize {
        line_count(bytes)
    }

    fn table(bytes: &[u8], block_bytes: usize) -> Option<ImuTable> {
        let t = parse_blocks(bytes, block_bytes)?;
        (!t.is_empty() && check_timing(&t.time_s).is_ok()).then_some(t)
    }

    #[test]
    fn plain_lines_read_as_the_general_path_reads_them() {
        let role = [0u8, 1, 2, 3, 4, 5, 6];
        for line in [
            "0.01,0.5,-9.81,0.25,1,-2,3",
            "12345.678901,-0.000,9.806650,0,0.1,-0.1,5000",
            "1,2,3,4,5,6,7",
            "0.9007199254740992,0,0,0,0,0,0",
        ] {
            let (mut a, mut b) = ([0.0; 7], [0.0; 7]);
            assert!(plain_fields(line.as_bytes(), &role, &mut a), "{line}");
            let p = Columns {
                role: role.to_vec(),
            };
            p.general_fields(line.as_bytes(), &mut b).unwrap();
            assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "{line}");
        }
        // every other form is left to the general path
        for line in [
            "1e5,0,0,0,0,0,0",
            "+1,0,0,0,0,0,0",
            ".5,0,0,0,0,0,0",
            "5.,0,0,0,0,0,0",
            "1,2,3,4,5,6",
            "1,2,3,4,5,6,7,8",
            "1,2,3,4,5,6,7,",
            "1, 2,3,4,5,6,7",
            "1,2,3,4,5,6,5001",
            "1,2,3,4,5,6,12345678901234567890",
            "0.9007199254740993,0,0,0,0,0,0",
            "9007199254740992,0,0,0,0,0,0",
        ] {
            let mut a = [0.0; 7];
            assert!(!plain_fields(line.as_bytes(), &role, &mut a), "{line}");
        }
    }

    #[test]
    fn random_plain_lines_read_as_the_general_path_reads_them() {
        // random fields of up to 21 integer and 21 decimal digits (mostly 1–2 and 0–9, so
        // that many lines are in range), signs and stray bytes
        let mut next = lcg(0x9E37_79B9_7F4A_7C15u64);
        let role = [0u8, 1, 2, 3, 4, 5, 6];
        let cols = Columns {
            role: role.to_vec(),
        };
        let mut plain = 0;
        for _ in 0..20_000 {
            let mut line = String::new();
            for f in 0..7 {
                if f > 0 {
                    line.push(',');
                }
                if next(4) == 0 {
                    line.push('-');
                }
                let int_digits = if next(10) == 0 { next(22) } else { 1 + next(2) };
                for _ in 0..int_digits {
                    line.push((b'0' + next(10) as u8) as char);
                }
                if next(3) > 0 {
                    line.push('.');
                    let frac_digits = if next(10) == 0 { next(22) } else { next(10) };
                    for _ in 0..frac_digits {
                        line.push((b'0' + next(10) as u8) as char);
                    }
                }
                if next(50) == 0 {
                    line.push([':', '/', 'e', ' '][next(4) as usize]);
                }
            }
            let (mut a, mut b) = ([0.0; 7], [0.0; 7]);
            let ok = plain_fields(line.as_bytes(), &role, &mut a);
            if ok {
                plain += 1;
                cols.general_fields(line.as_bytes(), &mut b).unwrap();
                assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "{line}");
            }
        }
        assert!(plain > 1000, "{plain} lines in the plain form");
    }

    #[test]
    fn blocks_on_all_cores_give_the_one_pass_table() {
        let mut csv = String::from("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z,extra\n");
        for i in 0..5000 {
            let t = i as f64 * 0.01;
            // some lines in forms only the general path reads
            let gz = if i % 97 == 0 {
                "1e0".to_string()
            } else {
                format!("{:.3}", (t * 3.0).cos())
            };
            csv.push_str(&format!(
                "{t:.2},{:.4},{:.4},9.81,{:.3},0,{gz},x\n",
                t.sin(),
                -t.cos(),
                t * 0.5
            ));
        }
        let bytes = csv.as_bytes();
        let one = table(bytes, usize::MAX).unwrap();
        assert_eq!(one.len(), 5000);
        for block in [1, 57, 1000, 100_000] {
            assert_eq!(
                table(bytes, block).as_ref(),
                Some(&one),
                "blocks of {block}"
            );
            // a last line without its line end
            let cut = &bytes[..bytes.len() - 1];
            assert_eq!(table(cut, block).as_ref(), Some(&one), "blocks of {block}");
        }
        // time going back across the cut is caught as in one pass
        let mut lines: Vec<&str> = csv.lines().collect();
        let mid = lines.len() / 2 + 10;
        lines.swap(mid, mid + 1);
        let swapped = lines.join("\n") + "\n";
        assert!(table(swapped.as_bytes(), usize::MAX).is_none());
        for block in [1, 1000] {
            assert!(table(swapped.as_bytes(), block).is_none());
        }
    }

    #[test]
    fn lines_ended_in_the_parsing_pass_read_as_lines_cut_first() {
        // the line-by-line reading of a block: cut at each line end, then read
        fn by_lines(cols: &Columns, block: &[u8]) -> Option<Vec<[f64; 7]>> {
            let mut rows = Vec::new();
            let mut values = [0.0f64; 7];
            for line in block
                .strip_suffix(b"\n")
                .unwrap_or(block)
                .split(|&b| b == b'\n')
            {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.is_empty() || line.len() >= MAX_LINE_BYTES {
                    return None;
                }
                if !plain_fields(line, &cols.role, &mut values) {
                    cols.general_fields(line, &mut values)?;
                }
                rows.push(values);
            }
            Some(rows)
        }
        let cols = Columns {
            role: vec![0, 1, 2, 3, 4, 5, 6],
        };
        let ends = [
            "\n", "\r\n", "\r\r\n", "\r", "", "\n\n", ",\n", "x\n", " \n",
        ];
        let mut next = lcg(0x2545_F491_4F6C_DD1Du64);
        for case in 0..3000 {
            let mut block = String::new();
            let lines = 1 + next(4);
            for l in 0..lines {
                let t = format!("{}.{:02}", case, l);
                let g = if next(5) == 0 { "1e0" } else { "0.5" };
                block += &format!("{t},0.1,-9.81,0,{g},-2,3");
                // mostly plain line ends; the last line may have none
                let end = if next(3) > 0 {
                    0
                } else {
                    next(ends.len() as u64) as usize
                };
                if l + 1 < lines || next(2) == 0 {
                    block += ends[end];
                }
            }
            let want = by_lines(&cols, block.as_bytes());
            let n = line_count(block.as_bytes());
            let mut out = vec![vec![0.0; n]; 7];
            let ok = {
                let [a, b, c, d, e, f, g] = &mut out[..] else {
                    unreachable!()
                };
                cols.block(block.as_bytes(), [a, b, c, d, e, f, g])
                    .is_some()
            };
            let got = ok.then(|| {
                (0..n)
                    .map(|r| std::array::from_fn(|k| out[k][r]))
                    .collect::<Vec<[f64; 7]>>()
            });
            let want = want.filter(|rows| rows.windows(2).all(|w| w[1][0] > w[0][0]));
            assert_eq!(got, want, "{block:?}");
        }
    }

    #[test]
    fn decimal_matches_the_full_parser() {
        for s in [
            "0",
            "-0",
            "-0.000",
            "9.806650",
            "123456.789012",
            "0.1",
            "1e5",
            ".5",
            "5.",
            "+1",
            "9007199254740993",
            "1.00000000000000000000001",
            "-",
            "",
        ] {
            let full = parse_number(s.as_bytes());
            if let Some(v) = decimal(s.as_bytes()) {
                assert_eq!(Some(v.to_bits()), full.map(f64::to_bits), "{s}");
            }
        }
        assert_eq!(
            decimal(b"-0.000").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert_eq!(decimal(b"1e5"), None);
        assert_eq!(decimal(b".5"), None);
        assert_eq!(decimal(b"5."), None);
    }
}
