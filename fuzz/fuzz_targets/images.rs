//! The image pipeline: a staff upload for LINE (`prepare`), a citizen's report photo
//! (`report_photo`) and a form's photo (`form_photo`). Any bytes give pictures or an
//! `ImageProblem`, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tayori_images::picture_format(data);
    let _ = tayori_images::prepare(data);
    let _ = tayori_images::report_photo(data);
    let _ = tayori_images::form_photo(data, 200 * 1024);
});
