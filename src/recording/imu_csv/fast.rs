//! Byte-level reader of plain sensor CSVs: a header of column names and rows of unquoted
//! comma-separated numbers. It accepts only files that the full reader
//! ([`super::ImuTable::from_reader`]) also accepts, with the same values: numbers go through
//! the same parser (short decimals through the exact fast path of that parser, see
//! [`decimal`]), and the same range, order, count and timing checks run. Anything else —
//! quotes, blank lines, whitespace, a bad value, a failed check — gives `None`, and the
//! caller reads the input with the full reader, which says exactly what is wrong and where.

use std::io::Read;

use super::{check_range, parse_number, ImuTable, HEADER, MAX_LINE_BYTES, READ_BLOCK_BYTES};
use crate::recording::resample::{check_timing, MAX_SAMPLES};

/// Parses a whole CSV held in memory; `None` = not for this reader.
pub(super) fn parse(bytes: &[u8]) -> Option<ImuTable> {
    let mut p = Parser::default();
    let end = match memchr::memrchr(b'\n', bytes) {
        Some(i) => {
            p.lines_split(&bytes[..=i], SPLIT_BYTES)?;
            i + 1
        }
        None => 0,
    };
    if end < bytes.len() {
        p.line(&bytes[end..])?;
    }
    p.finish()
}

/// Parses one chunk of a longer CSV (its header line, then rows): the rows as [`parse`]
/// reads them, without the checks that concern the whole recording (at least one row, the
/// timing); `None` = not for this reader.
pub(super) fn parse_rows(bytes: &[u8]) -> Option<ImuTable> {
    let mut p = Parser::default();
    let end = match memchr::memrchr(b'\n', bytes) {
        Some(i) => {
            p.lines_split(&bytes[..=i], SPLIT_BYTES)?;
            i + 1
        }
        None => 0,
    };
    if end < bytes.len() {
        p.line(&bytes[end..])?;
    }
    p.cols?;
    Some(p.table)
}

/// Reads a CSV in blocks of [`READ_BLOCK_BYTES`]; `Ok(None)` = not for this reader.
pub(super) fn read(r: &mut impl Read) -> std::io::Result<Option<ImuTable>> {
    let mut buf = vec![0u8; READ_BLOCK_BYTES];
    let mut filled = 0usize;
    let mut p = Parser::default();
    loop {
        let n = match r.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            if filled > 0 && p.line(&buf[..filled]).is_none() {
                return Ok(None);
            }
            return Ok(p.finish());
        }
        filled += n;
        match memchr::memrchr(b'\n', &buf[..filled]) {
            Some(last) => {
                if p.lines_split(&buf[..=last], SPLIT_BYTES).is_none() {
                    return Ok(None);
                }
                buf.copy_within(last + 1..filled, 0);
                filled -= last + 1;
            }
            // a line longer than a block is far over MAX_LINE_BYTES
            None if filled == buf.len() => return Ok(None),
            None => {}
        }
    }
}

/// Blocks of at least this many bytes are parsed as two halves on two threads.
const SPLIT_BYTES: usize = 256 << 10;

#[derive(Default)]
struct Parser {
    /// Field index of each of [`HEADER`]'s columns, once the header is read.
    cols: Option<[usize; 7]>,
    /// Column of each field: index into [`HEADER`], or 7 for a column that is not read.
    role: Vec<u8>,
    table: ImuTable,
}

impl Parser {
    /// Complete lines, each ending in `\n`; once the header is read, a chunk of at least
    /// `split_bytes` is cut at a line end near its middle and the second half parsed on another
    /// thread, then appended after the same order and count checks a single pass makes.
    fn lines_split(&mut self, chunk: &[u8], split_bytes: usize) -> Option<()> {
        if self.cols.is_none() || chunk.len() < split_bytes {
            return self.lines(chunk);
        }
        let cut = memchr::memchr(b'\n', &chunk[chunk.len() / 2..])? + chunk.len() / 2 + 1;
        let (first, second) = chunk.split_at(cut);
        let mut other = Parser {
            cols: self.cols,
            role: self.role.clone(),
            table: ImuTable::default(),
        };
        let (a, b) = rayon::join(|| self.lines(first), || other.lines(second));
        a?;
        b?;
        let (t, o) = (&mut self.table, other.table);
        if let (Some(&last), Some(&next)) = (t.time_s.last(), o.time_s.first()) {
            if next <= last {
                return None;
            }
        }
        if t.len() + o.len() > MAX_SAMPLES {
            return None;
        }
        t.time_s.extend_from_slice(&o.time_s);
        for k in 0..3 {
            t.acc_mps2[k].extend_from_slice(&o.acc_mps2[k]);
            t.gyr_dps[k].extend_from_slice(&o.gyr_dps[k]);
        }
        Some(())
    }

    /// Complete lines, each ending in `\n`.
    fn lines(&mut self, chunk: &[u8]) -> Option<()> {
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', chunk) {
            self.line(&chunk[start..end])?;
            start = end + 1;
        }
        Some(())
    }

    /// One line without its `\n`.
    fn line(&mut self, line: &[u8]) -> Option<()> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() || line.len() >= MAX_LINE_BYTES {
            return None;
        }
        if self.cols.is_none() {
            return self.header(line);
        }
        if self.table.len() >= MAX_SAMPLES {
            return None;
        }
        let mut values = [0.0f64; 7];
        if !plain_fields(line, &self.role, &mut values) {
            self.general_fields(line, &mut values)?;
        }
        if let Some(&prev) = self.table.time_s.last() {
            if values[0] <= prev {
                return None;
            }
        }
        let t = &mut self.table;
        t.time_s.push(values[0]);
        for k in 0..3 {
            t.acc_mps2[k].push(values[1 + k]);
            t.gyr_dps[k].push(values[4 + k]);
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

    fn header(&mut self, line: &[u8]) -> Option<()> {
        if !line
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b',')
        {
            return None;
        }
        let names: Vec<&[u8]> = line.split(|&b| b == b',').collect();
        let mut cols = [0usize; 7];
        self.role = vec![7; names.len()];
        for (k, name) in HEADER.iter().enumerate() {
            let i = names
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name.as_bytes()))?;
            cols[k] = i;
            self.role[i] = k as u8;
        }
        self.cols = Some(cols);
        Some(())
    }

    fn finish(self) -> Option<ImuTable> {
        self.cols?;
        if self.table.is_empty() || check_timing(&self.table.time_s).is_err() {
            return None;
        }
        Some(self.table)
    }
}

/// One pass over a line whose every field has the [`decimal`] form, with the same values
/// and range checks; `false` for any other line (the general path then reads it).
#[inline]
fn plain_fields(line: &[u8], role: &[u8], values: &mut [f64; 7]) -> bool {
    let n = line.len();
    let mut i = 0usize;
    let mut field = 0usize;
    loop {
        let Some(&r) = role.get(field) else {
            return false;
        };
        let neg = line.get(i) == Some(&b'-');
        i += usize::from(neg);
        let mut m: u64 = 0;
        let int_start = i;
        while i < n && line[i].wrapping_sub(b'0') < 10 {
            m = m.wrapping_mul(10).wrapping_add(u64::from(line[i] - b'0'));
            i += 1;
        }
        let int_digits = i - int_start;
        let mut k = 0usize;
        if i < n && line[i] == b'.' {
            i += 1;
            let frac_start = i;
            while i < n && line[i].wrapping_sub(b'0') < 10 {
                m = m.wrapping_mul(10).wrapping_add(u64::from(line[i] - b'0'));
                i += 1;
            }
            k = i - frac_start;
            if k == 0 {
                return false;
            }
        }
        if int_digits == 0 || int_digits + k > 19 || m > (1u64 << 53) || k > 22 {
            return false;
        }
        if r != 7 {
            let v = m as f64 / POW10[k];
            let v = if neg { -v } else { v };
            if check_range(r as usize, v).is_err() {
                return false;
            }
            values[r as usize] = v;
        }
        field += 1;
        if i == n {
            return field == role.len();
        }
        if line[i] != b',' {
            return false;
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
mod tests {
    use super::*;

    fn table(bytes: &[u8], split_bytes: usize) -> Option<ImuTable> {
        let mut p = Parser::default();
        p.lines_split(bytes, split_bytes)?;
        p.finish()
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
            let p = Parser {
                cols: Some([0, 1, 2, 3, 4, 5, 6]),
                role: role.to_vec(),
                table: ImuTable::default(),
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
    fn halves_on_two_threads_give_the_one_pass_table() {
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
        for split in [1, 1000, 100_000] {
            assert_eq!(table(bytes, split).as_ref(), Some(&one), "split at {split}");
        }
        // time going back across the cut is caught as in one pass
        let mut lines: Vec<&str> = csv.lines().collect();
        let mid = lines.len() / 2 + 10;
        lines.swap(mid, mid + 1);
        let swapped = lines.join("\n") + "\n";
        assert!(table(swapped.as_bytes(), usize::MAX).is_none());
        assert!(table(swapped.as_bytes(), 1).is_none());
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
