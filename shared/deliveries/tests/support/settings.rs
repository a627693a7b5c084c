//! The harness's knobs, from the environment: how many points, how many friends, which seed.

use std::str::FromStr;

/// Where the points of a run come from when no seed is given: fixed, so CI runs the same
/// points every time (set `TAYORI_CRASH_SEED` to explore others).
pub const BASE_SEED: u64 = 0x7A40_2126_C0A5_0001;

#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Crash points per scenario (`TAYORI_CRASH_POINTS`).
    pub points: usize,
    /// Friends seeded (`TAYORI_CRASH_FRIENDS`).
    pub friends: usize,
    /// Run this one point instead (`TAYORI_CRASH_SEED`, as a failure prints it).
    pub seed: Option<u64>,
    /// Where the points of a run are drawn from (`TAYORI_CRASH_BASE_SEED`).
    pub base_seed: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("{name}={value:?} is not a whole number")]
pub struct SettingsError {
    name: &'static str,
    value: String,
}

fn read<T: FromStr>(name: &'static str) -> Result<Option<T>, SettingsError> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => value
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| SettingsError { name, value }),
        _ => Ok(None),
    }
}

impl Settings {
    /// The environment's settings over these defaults.
    pub fn from_env(points: usize, friends: usize) -> Result<Settings, SettingsError> {
        Ok(Settings {
            points: read("TAYORI_CRASH_POINTS")?.unwrap_or(points),
            friends: read("TAYORI_CRASH_FRIENDS")?.unwrap_or(friends),
            seed: read("TAYORI_CRASH_SEED")?,
            base_seed: read("TAYORI_CRASH_BASE_SEED")?.unwrap_or(BASE_SEED),
        })
    }
}
