//! GSI's 指定緊急避難場所 and 指定避難所 lists, as published (`mergeFromCity_2.csv` and
//! `mergeFromCity_1.csv`, one municipality's rows or the nationwide file), joined into sites.
//!
//! A 共通ID is `E`, the municipality (7 digits, 小浜市 `1820400`), the site number (3 digits)
//! and a suffix: `2xx` in the 指定緊急避難場所 list, `1xx` in the 指定避難所 list. One site
//! number can hold several places (`E1820400029201` 中央グラウンド and `E1820400029202`
//! 小浜市民体育館), so a 指定避難所 is joined to the 指定緊急避難場所 with the same site number
//! AND the same name (`E1820400029111` 小浜市民体育館 joins the second). A site takes the id
//! of its 指定緊急避難場所 row when it has one, so that the id does not change when a site is
//! only later also designated as a 指定避難所... and the other way round it would.

use super::{table, ImportReport, LineError, Problem, Row};
use std::collections::HashMap;
use tayori_domain::facility::{Extras, Facility, KindId, Position, Site};
use tayori_domain::hazard::Hazard;

pub const EMERGENCY_SITES_FILE: &str = "指定緊急避難場所";
pub const SHELTERS_FILE: &str = "指定避難所";

const ID: &str = "共通ID";
const NAME: &str = "施設・場所名";
const ADDRESS: &str = "住所";
const LAT: &str = "緯度";
const LNG: &str = "経度";
const SAME_AS_SHELTER: &str = "指定避難所との住所同一";
const SAME_AS_SITE: &str = "指定緊急避難場所との住所同一";
const ACCEPTS: &str = "受入対象者";

pub const EMERGENCY_SITES_HEADINGS: [&str; 17] = [
    "NO",
    ID,
    "都道府県名及び市町村名",
    NAME,
    ADDRESS,
    "洪水",
    "崖崩れ、土石流及び地滑り",
    "高潮",
    "地震",
    "津波",
    "大規模な火事",
    "内水氾濫",
    "火山現象",
    SAME_AS_SHELTER,
    LAT,
    LNG,
    "備考",
];

pub const SHELTERS_HEADINGS: [&str; 11] = [
    "NO",
    ID,
    "都道府県名及び市町村名",
    NAME,
    ADDRESS,
    SAME_AS_SITE,
    "その他市町村長が必要と認める事項",
    ACCEPTS,
    LAT,
    LNG,
    "備考",
];

/// GSI's lists as sites, with what the clerk is shown after an import.
#[derive(Clone, Debug, PartialEq)]
pub struct GsiSites {
    pub emergency_site_rows: usize,
    pub shelter_rows: usize,
    /// Sites in both lists.
    pub joined: usize,
    pub sites: Vec<Facility>,
}

struct Parsed {
    line: usize,
    id: String,
    name: String,
    address: String,
    position: Position,
    hazards: Vec<Hazard>,
    accepts: Option<String>,
}

/// The part of a 共通ID before its suffix: municipality and site number.
fn site_number(id: &str) -> &str {
    &id[..id.len() - 3]
}

fn read(
    file: &str,
    bytes: &[u8],
    headings: &[&str],
    suffix: char,
    list: &'static str,
    errors: &mut Vec<LineError>,
) -> Vec<Parsed> {
    let mut parsed = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for record in table(file, bytes, headings, errors) {
        let row = Row {
            file,
            line: record.line,
            headings,
            fields: &record.fields,
        };
        let mut row_errors = Vec::new();
        let id = row.cell(ID).to_owned();
        if !tayori_domain::facility::is_gsi_id(&id) {
            row_errors.push(row.error(Some(ID), Problem::GsiId(id.clone())));
        } else if !id[11..].starts_with(suffix) {
            row_errors.push(row.error(Some(ID), Problem::WrongList { list }));
        } else if let Some(first) = seen.insert(id.clone(), row.line) {
            row_errors.push(row.error(Some(ID), Problem::Duplicate { line: first }));
        }
        let name = row.cell(NAME).to_owned();
        if name.is_empty() {
            row_errors.push(row.error(Some(NAME), Problem::Missing));
        }
        let mut hazards = Vec::new();
        for heading in headings {
            if let Some(hazard) = Hazard::from_gsi_column(heading) {
                match row.flag(heading) {
                    Ok(true) => hazards.push(hazard),
                    Ok(false) => {}
                    Err(e) => row_errors.push(e),
                }
            }
        }
        for flag in [SAME_AS_SHELTER, SAME_AS_SITE] {
            if headings.contains(&flag) {
                if let Err(e) = row.flag(flag) {
                    row_errors.push(e);
                }
            }
        }
        let position = row.position(LAT, LNG).map_err(|e| row_errors.extend(e));
        let accepts = headings
            .contains(&ACCEPTS)
            .then(|| row.cell(ACCEPTS).to_owned())
            .filter(|a| !a.is_empty());
        match position {
            Ok(position) if row_errors.is_empty() => parsed.push(Parsed {
                line: row.line,
                id,
                name,
                address: row.cell(ADDRESS).to_owned(),
                position,
                hazards,
                accepts,
            }),
            _ => errors.extend(row_errors),
        }
    }
    parsed
}

/// Reads and joins GSI's two lists. Every bad row is reported; none is skipped.
pub fn parse(emergency_sites: &[u8], shelters: &[u8]) -> Result<GsiSites, ImportReport> {
    let mut errors = Vec::new();
    let places = read(
        EMERGENCY_SITES_FILE,
        emergency_sites,
        &EMERGENCY_SITES_HEADINGS,
        '2',
        "指定緊急避難場所",
        &mut errors,
    );
    let stays = read(
        SHELTERS_FILE,
        shelters,
        &SHELTERS_HEADINGS,
        '1',
        "指定避難所",
        &mut errors,
    );

    let mut sites: Vec<(Site, usize, &'static str)> = places
        .iter()
        .map(|p| {
            let site = Site {
                id: p.id.clone(),
                kind: KindId::shelter(),
                name: p.name.clone(),
                address: p.address.clone(),
                position: p.position,
                hazards: p.hazards.clone(),
                designated_shelter: false,
                accepts: None,
                gsi_ids: vec![p.id.clone()],
            };
            (site, p.line, EMERGENCY_SITES_FILE)
        })
        .collect();
    let by_site_and_name: HashMap<(&str, &str), usize> = places
        .iter()
        .enumerate()
        .map(|(i, p)| ((site_number(&p.id), p.name.as_str()), i))
        .collect();
    let mut joined = 0;
    for stay in &stays {
        let same = by_site_and_name
            .get(&(site_number(&stay.id), stay.name.as_str()))
            .copied()
            .filter(|&i| !sites[i].0.designated_shelter);
        match same {
            Some(i) => {
                let site = &mut sites[i].0;
                site.designated_shelter = true;
                site.accepts = stay.accepts.clone();
                site.gsi_ids.push(stay.id.clone());
                joined += 1;
            }
            None => sites.push((
                Site {
                    id: stay.id.clone(),
                    kind: KindId::shelter(),
                    name: stay.name.clone(),
                    address: stay.address.clone(),
                    position: stay.position,
                    hazards: Vec::new(),
                    designated_shelter: true,
                    accepts: stay.accepts.clone(),
                    gsi_ids: vec![stay.id.clone()],
                },
                stay.line,
                SHELTERS_FILE,
            )),
        }
    }

    let mut facilities = Vec::with_capacity(sites.len());
    for (site, line, file) in sites {
        match Facility::new(site, Extras::default()) {
            Ok(facility) => facilities.push(facility),
            Err(e) => errors.push(LineError::new(file, line, None, Problem::Site(e))),
        }
    }
    if !errors.is_empty() {
        return Err(ImportReport { errors });
    }
    Ok(GsiSites {
        emergency_site_rows: places.len(),
        shelter_rows: stays.len(),
        joined,
        sites: facilities,
    })
}
