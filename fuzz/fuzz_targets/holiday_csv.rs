//! The Cabinet Office's national holiday CSV (syukujitsu.csv) as staff upload a newer copy.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tayori_garbage::holidays::Holidays;

fuzz_target!(|data: &[u8]| {
    if let Err(failed) = Holidays::parse_cabinet_office_csv(data) {
        let _ = failed.to_string();
    }
});
