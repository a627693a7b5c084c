//! A 5374 (ごみなし) data set as a clerk uploads it. The input holds the files separated by
//! 0xFF (a byte neither UTF-8 nor CP932 uses): area_days.csv, then optionally center.csv,
//! description.csv and target.csv. Each file goes through the CSV reader and decoder too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tayori_garbage::import5374::{import5374, Files5374};

fuzz_target!(|data: &[u8]| {
    let mut files = data.split(|b| *b == 0xFF);
    let area_days = files.next().unwrap_or_default();
    let set = Files5374 {
        area_days,
        center: files.next(),
        description: files.next(),
        target: files.next(),
    };
    if let Err(failed) = import5374(set) {
        // The clerk reads the report; rendering it must not panic either.
        let _ = failed.to_string();
    }
});
