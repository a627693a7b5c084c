//! A CSV of sites of the kinds staff define (公民館, AED, 給水所…):
//! `種別,名称,住所,緯度,経度,電話番号,開館時間,URL,備考`. 種別 is a kind's name or id.
//!
//! A site's id is made from its kind, name and address, so that a re-import of the same row
//! finds the same site and keeps what staff added to it.

use super::{table, ImportReport, Problem, Row};
use std::collections::{BTreeSet, HashMap};
use tayori_domain::facility::{Extras, ExtrasError, Facility, FacilityKind, KindId, Site};

pub const FILE: &str = "施設一覧";
pub const HEADINGS: [&str; 9] = [
    "種別",
    "名称",
    "住所",
    "緯度",
    "経度",
    "電話番号",
    "開館時間",
    "URL",
    "備考",
];

#[derive(Clone, Debug, PartialEq)]
pub struct KindSites {
    /// The kinds the file holds rows of: their sites are replaced by the file's.
    pub kinds: BTreeSet<KindId>,
    pub sites: Vec<Facility>,
}

/// FNV-1a: a stable, dependency-free hash (the id must not change between releases, which
/// `std`'s hasher does not promise).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub fn site_id(kind: &KindId, name: &str, address: &str) -> String {
    format!("{kind}-{:016x}", fnv1a(&format!("{name}\u{1f}{address}")))
}

fn extras_column(error: &ExtrasError) -> &'static str {
    match error {
        ExtrasError::Phone => "電話番号",
        ExtrasError::Hours => "開館時間",
        ExtrasError::Url(_) => "URL",
        ExtrasError::Note => "備考",
        ExtrasError::Capacity | ExtrasError::Photo => "備考",
    }
}

pub fn parse(bytes: &[u8], kinds: &[FacilityKind]) -> Result<KindSites, ImportReport> {
    let mut errors = Vec::new();
    let mut sites = Vec::new();
    let mut in_file = BTreeSet::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for record in table(FILE, bytes, &HEADINGS, &mut errors) {
        let row = Row {
            file: FILE,
            line: record.line,
            headings: &HEADINGS,
            fields: &record.fields,
        };
        let kind_cell = row.cell("種別");
        let kind = if kind_cell == tayori_domain::facility::kind::SHELTER_NAME
            || kind_cell == tayori_domain::facility::kind::SHELTER
        {
            Err(row.error(Some("種別"), Problem::ShelterKind))
        } else if kind_cell.is_empty() {
            Err(row.error(Some("種別"), Problem::Missing))
        } else {
            kinds
                .iter()
                .find(|k| {
                    !k.is_shelter() && (k.name() == kind_cell || k.id().as_str() == kind_cell)
                })
                .map(|k| k.id().clone())
                .ok_or_else(|| row.error(Some("種別"), Problem::UnknownKind(kind_cell.to_owned())))
        };
        let name = row.cell("名称");
        let name_error = name
            .is_empty()
            .then(|| row.error(Some("名称"), Problem::Missing));
        let position = row.position("緯度", "経度");
        let text = |heading: &str| Some(row.cell(heading).to_owned()).filter(|v| !v.is_empty());
        let extras = Extras {
            phone: text("電話番号"),
            hours: text("開館時間"),
            url: text("URL"),
            note: text("備考"),
            ..Extras::default()
        }
        .checked()
        .map_err(|e| row.error(Some(extras_column(&e)), Problem::Extras(e)));
        let (kind, position, extras) = match (kind, position, extras, name_error) {
            (Ok(kind), Ok(position), Ok(extras), None) => (kind, position, extras),
            (kind, position, extras, name_error) => {
                errors.extend(kind.err());
                errors.extend(name_error);
                errors.extend(position.err().into_iter().flatten());
                errors.extend(extras.err());
                continue;
            }
        };
        let address = row.cell("住所");
        let id = site_id(&kind, name, address);
        if let Some(first) = seen.insert(id.clone(), row.line) {
            errors.push(row.error(None, Problem::Duplicate { line: first }));
            continue;
        }
        let site = Site {
            id,
            kind: kind.clone(),
            name: name.to_owned(),
            address: address.to_owned(),
            position,
            hazards: Vec::new(),
            designated_shelter: false,
            accepts: None,
            gsi_ids: Vec::new(),
        };
        match Facility::new(site, extras) {
            Ok(facility) => {
                in_file.insert(kind);
                sites.push(facility);
            }
            Err(e) => errors.push(row.error(None, Problem::Site(e))),
        }
    }
    if !errors.is_empty() {
        return Err(ImportReport { errors });
    }
    Ok(KindSites {
        kinds: in_file,
        sites,
    })
}
