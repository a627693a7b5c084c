//! Shelter imports: GSI's two lists (指定緊急避難場所 then 指定避難所, separated by 0xFF, a byte
//! neither UTF-8 nor CP932 uses) and the CSV of sites of a kind staff define (the whole input).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tayori_domain::facility::{FacilityKind, KindId};
use tayori_facilities::import::{gsi, kinds};

fuzz_target!(|data: &[u8]| {
    let (emergency_sites, shelters) = match data.iter().position(|b| *b == 0xFF) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    if let Err(report) = gsi::parse(emergency_sites, shelters) {
        let _ = report.to_string();
    }
    let staff_kinds = [
        FacilityKind::shelter(),
        FacilityKind::new(KindId::new("kominkan").unwrap(), "公民館").unwrap(),
        FacilityKind::new(KindId::new("aed").unwrap(), "AED").unwrap(),
    ];
    if let Err(report) = kinds::parse(data, &staff_kinds) {
        let _ = report.to_string();
    }
});
