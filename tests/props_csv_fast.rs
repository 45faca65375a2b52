//! The byte-level CSV reader (`ImuTable::from_bytes`, `ImuTable::read`) against the full
//! reader (`ImuTable::from_reader`): on random valid files and on random corruptions of them
//! both give the same table (bit for bit) or the same error message.

use std::path::Path;

use gaitkit::recording::ImuTable;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(15_2026),
        failure_persistence: None,
        ..Config::default()
    }
}

const P: &str = "rec/lower_back.csv";

fn both(bytes: &[u8]) {
    let full = ImuTable::from_reader(bytes, Path::new(P)).map_err(|e| e.to_string());
    let fast = ImuTable::from_bytes(bytes, Path::new(P)).map_err(|e| e.to_string());
    assert_eq!(fast, full, "input {:?}", String::from_utf8_lossy(bytes));
    // and through a file, read in blocks
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.csv");
    std::fs::write(&path, bytes).unwrap();
    let from_file = ImuTable::read(&path).map_err(|e| e.to_string());
    let full_file = ImuTable::from_reader(std::fs::File::open(&path).unwrap(), &path)
        .map_err(|e| e.to_string());
    assert_eq!(from_file, full_file);
}

/// A value as a recorder or a spreadsheet writes it.
fn number(lo: f64, hi: f64) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (lo..hi, 0usize..9).prop_map(|(v, d)| format!("{v:.d$}")),
        1 => (lo..hi).prop_map(|v| format!("{v}")),
        1 => (lo..hi).prop_map(|v| format!("{v:e}")),
        1 => (lo..hi).prop_map(|v| format!("{v:.20}")),
    ]
}

#[derive(Debug, Clone)]
struct Csv {
    order: Vec<usize>,
    extra: bool,
    crlf: bool,
    final_newline: bool,
    rows: Vec<[String; 7]>,
}

fn csv() -> impl Strategy<Value = Csv> {
    (
        Just((0..7).collect::<Vec<usize>>()).prop_shuffle(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        50usize..700,
        prop_oneof![Just(0.01), Just(0.005), Just(0.0025), 0.001..0.09f64],
        prop::collection::vec(
            (
                number(-30.0, 30.0),
                number(-30.0, 30.0),
                number(-30.0, 30.0),
                number(-900.0, 900.0),
                number(-900.0, 900.0),
                number(-900.0, 900.0),
            ),
            8,
        ),
    )
        .prop_map(|(order, extra, crlf, final_newline, n, dt, pool)| {
            let rows = (0..n)
                .map(|i| {
                    let (a, b, c, d, e, f) = pool[i % pool.len()].clone();
                    [format!("{:.6}", 3.0 + i as f64 * dt), a, b, c, d, e, f]
                })
                .collect();
            Csv {
                order,
                extra,
                crlf,
                final_newline,
                rows,
            }
        })
}

impl Csv {
    fn text(&self) -> String {
        let names = [
            "time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z",
        ];
        let nl = if self.crlf { "\r\n" } else { "\n" };
        let mut head: Vec<String> = self.order.iter().map(|&i| names[i].to_string()).collect();
        if self.extra {
            head.insert(1, "mag_x".into());
        }
        let mut s = head.join(",") + nl;
        for (r, row) in self.rows.iter().enumerate() {
            let mut f: Vec<String> = self.order.iter().map(|&i| row[i].clone()).collect();
            if self.extra {
                f.insert(1, format!("m{r}"));
            }
            s += &f.join(",");
            if r + 1 < self.rows.len() || self.final_newline {
                s += nl;
            }
        }
        s
    }
}

/// Ways a real file goes wrong, applied at a byte position.
fn corruption() -> impl Strategy<Value = (usize, &'static str)> {
    (
        any::<usize>(),
        prop::sample::select(vec![
            "", "\n", "\n\n", ",", ";", "\"", " ", "\t", "\r", "\0", "x", "-", ".", "e", "9999",
            "NaN", "inf", "\u{feff}", "\u{e9}", "1e400", "\"1\"", ",,", "0", "-0",
        ]),
    )
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn valid_files_read_identically(c in csv()) {
        both(c.text().as_bytes());
    }

    #[test]
    fn corrupted_files_read_identically(c in csv(), cuts in prop::collection::vec(corruption(), 1..4)) {
        let mut b = c.text().into_bytes();
        for (at, what) in cuts {
            let at = at % (b.len() + 1);
            b.splice(at..at, what.bytes());
        }
        both(&b);
    }

    #[test]
    fn truncated_and_edited_files_read_identically(c in csv(), at in any::<usize>(), len in 0usize..40, byte in any::<u8>()) {
        let mut b = c.text().into_bytes();
        let at = at % b.len();
        let end = (at + len).min(b.len());
        b.drain(at..end);
        both(&b);
        if !b.is_empty() {
            let i = at % b.len();
            b[i] = byte;
            both(&b);
        }
    }
}

#[test]
fn fixtures_read_identically() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for e in std::fs::read_dir(&root).unwrap() {
        let d = e.unwrap().path();
        if !d.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&d).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|x| x == "csv") {
                let bytes = std::fs::read(&p).unwrap();
                let full = ImuTable::from_reader(&bytes[..], &p).unwrap();
                assert_eq!(ImuTable::read(&p).unwrap(), full, "{}", p.display());
                assert!(full.len() > 1000);
            }
        }
    }
}

#[test]
fn errors_keep_their_line_numbers() {
    let ok = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0.00,9.8,0.1,0.2,1,2,3\n0.01,9.7,0.0,0.1,4,5,6\n";
    for (text, want) in [
        (ok.replace("9.7", "abc"), "line 3: acc_x = \"abc\""),
        (
            ok.replace("0.01,", "0.00,"),
            "line 3: time_s goes from 0 to 0",
        ),
        (format!("{ok}0.02,1,2,3\n"), "line 4: row has 4 fields"),
    ] {
        let e = ImuTable::from_bytes(text.as_bytes(), Path::new(P))
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{e}");
    }
}
