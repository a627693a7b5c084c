//! The nearest-site index: an R-tree of the sites' points on the unit sphere, built once per
//! container from the registry and kept until the registry's version moves.
//!
//! Points are 3-D unit vectors, not (lat, lng) pairs: the straight-line distance between two
//! of them grows strictly with the great-circle distance, so the tree's nearest-neighbour
//! order is the haversine order, exactly, with no over-fetching and no trouble at high
//! latitudes or across the 180° meridian. Distances shown are haversine metres.

use rstar::primitives::GeomWithData;
use rstar::RTree;
use tayori_domain::facility::{Facility, Position};

type Entry = GeomWithData<[f64; 3], u32>;

pub struct SiteIndex {
    version: u64,
    sites: Vec<Facility>,
    tree: RTree<Entry>,
}

impl SiteIndex {
    /// `version` is the registry's version the sites were read at.
    pub fn build(version: u64, sites: Vec<Facility>) -> Self {
        let entries = sites
            .iter()
            .enumerate()
            .map(|(i, site)| {
                let i = u32::try_from(i).expect("fewer than 4 billion sites");
                GeomWithData::new(site.position().unit_vector(), i)
            })
            .collect();
        Self {
            version,
            sites,
            tree: RTree::bulk_load(entries),
        }
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn sites(&self) -> &[Facility] {
        &self.sites
    }

    /// Up to `limit` sites that `wanted` accepts, nearest first, with their distance in metres.
    pub fn nearest(
        &self,
        from: Position,
        limit: usize,
        wanted: impl Fn(&Facility) -> bool,
    ) -> Vec<(&Facility, f64)> {
        self.tree
            .nearest_neighbor_iter(&from.unit_vector())
            .map(|entry| &self.sites[entry.data as usize])
            .filter(|site| wanted(site))
            .take(limit)
            .map(|site| (site, from.distance_m(site.position())))
            .collect()
    }

    /// The same answer by measuring every site: what the index is measured against.
    pub fn nearest_by_scan(
        &self,
        from: Position,
        limit: usize,
        wanted: impl Fn(&Facility) -> bool,
    ) -> Vec<(&Facility, f64)> {
        let mut found: Vec<(&Facility, f64)> = Vec::with_capacity(limit + 1);
        for site in self.sites.iter().filter(|s| wanted(s)) {
            let d = from.distance_m(site.position());
            if found.len() < limit || d < found[found.len() - 1].1 {
                let at = found.partition_point(|(_, e)| *e <= d);
                found.insert(at, (site, d));
                found.truncate(limit);
            }
        }
        found
    }
}
