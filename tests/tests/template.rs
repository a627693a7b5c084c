//! Checks on `template.yaml` (and the sample `events/`) that cfn-lint does not make: schedule
//! strings and their time zones, build metadata that names real crates, and the security and
//! backup settings the city's 仕様書 asks for (6.1.4, 9.1.1, 9.1.2, 9.1.4).
//! No network, no moto: the template is read as YAML, CloudFormation short tags included.

use serde_yaml::value::TaggedValue;
use serde_yaml::{Mapping, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// EventBridge (Scheduler and rules) schedule expressions: `cron(...)` and `rate(...)`, checked
/// field by field as AWS documents them, because a bad one only fails at deploy time.
mod schedule {
    /// The six fields of an EventBridge cron expression, in order.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Field {
        Minutes,
        Hours,
        DayOfMonth,
        Month,
        DayOfWeek,
        Year,
    }

    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    impl Field {
        const ALL: [Field; 6] = [
            Field::Minutes,
            Field::Hours,
            Field::DayOfMonth,
            Field::Month,
            Field::DayOfWeek,
            Field::Year,
        ];

        fn range(self) -> (u32, u32) {
            match self {
                Field::Minutes => (0, 59),
                Field::Hours => (0, 23),
                Field::DayOfMonth => (1, 31),
                Field::Month => (1, 12),
                Field::DayOfWeek => (1, 7),
                Field::Year => (1970, 2199),
            }
        }

        /// A number or, for months and weekdays, a three-letter name.
        fn value(self, text: &str) -> Result<u32, String> {
            let names: &[&str] = match self {
                Field::Month => &MONTHS,
                Field::DayOfWeek => &WEEKDAYS,
                _ => &[],
            };
            let upper = text.to_ascii_uppercase();
            let value = match names.iter().position(|n| *n == upper) {
                Some(i) => i as u32 + 1,
                None if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => text
                    .parse()
                    .map_err(|_| format!("{self:?}: {text} is too large"))?,
                None => return Err(format!("{self:?}: {text} is not a value")),
            };
            let (lo, hi) = self.range();
            if (lo..=hi).contains(&value) {
                Ok(value)
            } else {
                Err(format!("{self:?}: {text} is outside {lo}-{hi}"))
            }
        }
    }

    /// Checks `cron(...)` or `rate(...)`.
    pub fn validate(expression: &str) -> Result<(), String> {
        if let Some(body) = inner(expression, "cron") {
            validate_cron(body)
        } else if let Some(body) = inner(expression, "rate") {
            validate_rate(body)
        } else {
            Err(format!("{expression}: neither cron(...) nor rate(...)"))
        }
    }

    fn inner<'a>(expression: &'a str, name: &str) -> Option<&'a str> {
        expression
            .strip_prefix(name)?
            .strip_prefix('(')?
            .strip_suffix(')')
    }

    fn validate_cron(body: &str) -> Result<(), String> {
        let fields: Vec<&str> = body.split(' ').collect();
        if fields.len() != 6 || fields.iter().any(|f| f.is_empty()) {
            return Err(format!(
                "cron({body}): needs 6 fields separated by single spaces, has {}",
                fields.len()
            ));
        }
        for (field, text) in Field::ALL.iter().zip(&fields) {
            validate_field(*field, text).map_err(|e| format!("cron({body}): {e}"))?;
        }
        // One of the two day fields must be `?` and the other must not: AWS cannot combine them.
        match (fields[2] == "?", fields[4] == "?") {
            (true, false) | (false, true) => Ok(()),
            _ => Err(format!(
                "cron({body}): exactly one of day-of-month and day-of-week must be ?"
            )),
        }
    }

    fn validate_field(field: Field, text: &str) -> Result<(), String> {
        let is_day = matches!(field, Field::DayOfMonth | Field::DayOfWeek);
        if text == "?" {
            return if is_day {
                Ok(())
            } else {
                Err(format!("{field:?}: ? only fits the day fields"))
            };
        }
        if let Some(result) = special_day_form(field, text) {
            return result;
        }
        for item in text.split(',') {
            validate_item(field, item)?;
        }
        Ok(())
    }

    /// The forms that stand alone: L, LW and nW for the day of month; L, nL and n#k for the
    /// day of week. `None` when `text` is none of them.
    fn special_day_form(field: Field, text: &str) -> Option<Result<(), String>> {
        match field {
            Field::DayOfMonth => {
                if text == "L" || text == "LW" {
                    Some(Ok(()))
                } else {
                    let day = text.strip_suffix('W')?;
                    Some(field.value(day).map(|_| ()))
                }
            }
            Field::DayOfWeek => {
                if text == "L" {
                    return Some(Ok(()));
                }
                if let Some((day, nth)) = text.split_once('#') {
                    let nth_ok = matches!(nth, "1" | "2" | "3" | "4" | "5");
                    return Some(match field.value(day) {
                        Ok(_) if nth_ok => Ok(()),
                        Ok(_) => Err(format!("DayOfWeek: #{nth} must be 1-5")),
                        Err(e) => Err(e),
                    });
                }
                let day = text.strip_suffix('L')?;
                Some(field.value(day).map(|_| ()))
            }
            _ => None,
        }
    }

    /// `*`, a value, a range `a-b`, each optionally followed by `/step`.
    fn validate_item(field: Field, item: &str) -> Result<(), String> {
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => (base, Some(step)),
            None => (item, None),
        };
        if let Some(step) = step {
            let (lo, hi) = field.range();
            let n: u32 = step
                .parse()
                .map_err(|_| format!("{field:?}: step {step} is not a number"))?;
            if n == 0 || n > hi - lo + 1 {
                return Err(format!("{field:?}: step {step} is out of range"));
            }
        }
        if base == "*" {
            return Ok(());
        }
        match base.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (field.value(from)?, field.value(to)?);
                if from <= to {
                    Ok(())
                } else {
                    Err(format!("{field:?}: range {base} runs backwards"))
                }
            }
            None => field.value(base).map(|_| ()),
        }
    }

    fn validate_rate(body: &str) -> Result<(), String> {
        let (value, unit) = body
            .split_once(' ')
            .ok_or_else(|| format!("rate({body}): needs a value and a unit"))?;
        let value: u32 = value
            .parse()
            .map_err(|_| format!("rate({body}): {value} is not a whole number"))?;
        if value == 0 {
            return Err(format!("rate({body}): the value must be positive"));
        }
        let singular = matches!(unit, "minute" | "hour" | "day");
        let plural = matches!(unit, "minutes" | "hours" | "days");
        // AWS wants "1 minute" but "5 minutes".
        match (value == 1, singular, plural) {
            (true, true, _) | (false, _, true) => Ok(()),
            _ => Err(format!(
                "rate({body}): unit {unit} does not fit value {value}"
            )),
        }
    }

    #[test]
    fn a_daily_cron_at_a_fixed_hour_is_valid() {
        assert_eq!(validate("cron(0 21 * * ? *)"), Ok(()));
    }

    #[test]
    fn an_hour_past_23_is_rejected() {
        assert!(validate("cron(0 25 * * ? *)").is_err());
    }

    #[test]
    fn day_of_month_and_day_of_week_cannot_both_be_given() {
        assert!(validate("cron(0 6 * * * *)").is_err());
        assert!(validate("cron(0 6 ? * ? *)").is_err());
    }

    #[test]
    fn weekday_names_and_ranges_are_valid() {
        assert_eq!(validate("cron(30 6 ? * MON-FRI *)"), Ok(()));
        assert_eq!(validate("cron(0 7 ? * mon,wed,fri *)"), Ok(()));
        assert_eq!(validate("cron(0 10 ? * 6L 2025-2030)"), Ok(()));
        assert_eq!(validate("cron(0 9 ? * 3#2 *)"), Ok(()));
    }

    #[test]
    fn steps_lists_and_the_special_day_forms_are_valid() {
        assert_eq!(validate("cron(0/15 * * * ? *)"), Ok(()));
        assert_eq!(validate("cron(*/5 8-17 ? JAN-MAR,DEC MON-FRI *)"), Ok(()));
        assert_eq!(validate("cron(0 8 L * ? *)"), Ok(()));
        assert_eq!(validate("cron(0 8 LW * ? *)"), Ok(()));
        assert_eq!(validate("cron(0 8 15W * ? *)"), Ok(()));
        assert_eq!(validate("cron(* * * * ? *)"), Ok(()));
    }

    #[test]
    fn malformed_crons_are_rejected() {
        for bad in [
            "cron(0 6 * * ?)",        // five fields
            "cron(0  6 * * ? *)",     // double space
            "cron(60 6 * * ? *)",     // minute 60
            "cron(0 6 0 * ? *)",      // day 0
            "cron(0 6 ? 13 MON *)",   // month 13
            "cron(0 6 ? * 8 *)",      // weekday 8
            "cron(0 6 ? * FUNDAY *)", // not a weekday
            "cron(0 6 ? * MON#6 *)",  // no sixth Monday
            "cron(0 6 ? FOO MON *)",  // not a month
            "cron(0 6 * * ? 1969)",   // year before 1970
            "cron(0/0 6 * * ? *)",    // zero step
            "cron(0 17-9 * * ? *)",   // backwards range
            "cron(? 6 * * ? *)",      // ? in minutes
            "cron(0 6 L * L *)",      // both day fields given
            "cron(0 6 15W,16 * ? *)", // W inside a list
            "cron(0 6 * * ? *",       // unclosed
            "0 6 * * ? *",            // bare fields
        ] {
            assert!(validate(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn rates_need_a_positive_value_and_a_matching_unit() {
        assert_eq!(validate("rate(1 minute)"), Ok(()));
        assert_eq!(validate("rate(5 minutes)"), Ok(()));
        assert_eq!(validate("rate(12 hours)"), Ok(()));
        assert_eq!(validate("rate(1 day)"), Ok(()));
        for bad in [
            "rate(1 minutes)",
            "rate(5 minute)",
            "rate(0 minutes)",
            "rate(-1 minutes)",
            "rate(30 seconds)",
            "rate(minutes)",
            "rate(1.5 hours)",
        ] {
            assert!(validate(bad).is_err(), "{bad} should be rejected");
        }
    }
}

// ------------------------------------------------------------------ reading the template

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository root")
        .to_path_buf()
}

fn template() -> Value {
    let path = repo_root().join("template.yaml");
    let text = std::fs::read_to_string(&path).expect("template.yaml is readable");
    serde_yaml::from_str(&text).expect("template.yaml parses, short tags included")
}

fn resources(template: &Value) -> &Mapping {
    template["Resources"]
        .as_mapping()
        .expect("Resources is a mapping")
}

/// Logical ids and bodies of the resources of one type.
fn of_type<'a>(template: &'a Value, kind: &str) -> Vec<(&'a str, &'a Value)> {
    resources(template)
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(kind))
        .map(|(id, r)| (id.as_str().expect("logical ids are strings"), r))
        .collect()
}

fn resource<'a>(template: &'a Value, id: &str) -> &'a Value {
    let found = &resources(template)[id];
    assert!(!found.is_null(), "resource {id} exists");
    found
}

/// `!Tag value` or its long form `{ "Fn::Tag": value }` (`Ref` has no `Fn::`).
fn intrinsic<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    if let Value::Tagged(tagged) = value {
        let TaggedValue { tag, value } = tagged.as_ref();
        return (*tag == name).then_some(value);
    }
    let long = if name == "Ref" {
        name.to_string()
    } else {
        format!("Fn::{name}")
    };
    let map = value.as_mapping()?;
    (map.len() == 1).then(|| map.get(long.as_str())).flatten()
}

/// The logical id a `Ref` or `GetAtt` points at.
fn target(value: &Value) -> Option<&str> {
    if let Some(v) = intrinsic(value, "Ref") {
        return v.as_str();
    }
    let v = intrinsic(value, "GetAtt")?;
    match v {
        Value::String(s) => s.split('.').next(),
        Value::Sequence(parts) => parts.first()?.as_str(),
        _ => None,
    }
}

/// The text of a `!Sub` (either form), for checking what it interpolates.
fn sub_text(value: &Value) -> Option<&str> {
    match intrinsic(value, "Sub")? {
        Value::String(s) => Some(s),
        Value::Sequence(parts) => parts.first()?.as_str(),
        _ => None,
    }
}

/// Every value stored under `key`, anywhere in the template.
fn values_under<'a>(value: &'a Value, key: &str, found: &mut Vec<&'a Value>) {
    match value {
        Value::Mapping(map) => {
            for (k, v) in map {
                if k.as_str() == Some(key) {
                    found.push(v);
                }
                values_under(v, key, found);
            }
        }
        Value::Sequence(items) => items.iter().for_each(|v| values_under(v, key, found)),
        Value::Tagged(tagged) => values_under(&tagged.value, key, found),
        _ => {}
    }
}

// ------------------------------------------------------------------ schedules

#[test]
fn every_schedule_expression_in_the_template_is_valid() {
    let template = template();
    let mut expressions = Vec::new();
    values_under(&template, "ScheduleExpression", &mut expressions);
    // SAM's Schedule/ScheduleV2 events carry theirs under `Schedule`.
    let mut sam = Vec::new();
    values_under(&template, "Schedule", &mut sam);
    expressions.extend(sam.into_iter().filter(|v| v.is_string()));
    assert!(
        expressions.len() >= 2,
        "the tick and the daily schedule are in the template"
    );
    for expression in expressions {
        let text = expression
            .as_str()
            .unwrap_or_else(|| panic!("schedule expressions are literal strings: {expression:?}"));
        if let Err(problem) = schedule::validate(text) {
            panic!("{problem}");
        }
    }
}

#[test]
fn every_schedule_runs_in_japan_time() {
    let template = template();
    let schedules = of_type(&template, "AWS::Scheduler::Schedule");
    assert!(!schedules.is_empty());
    for (id, schedule) in schedules {
        let zone = schedule["Properties"]["ScheduleExpressionTimezone"]
            .as_str()
            .unwrap_or_else(|| panic!("{id} names its time zone; UTC would be 9 hours off"));
        assert!(
            zone.parse::<chrono_tz::Tz>().is_ok(),
            "{id}: {zone} is an IANA time zone"
        );
        assert_eq!(zone, "Asia/Tokyo", "{id}");
    }
    let mut zones = Vec::new();
    values_under(&template, "ScheduleExpressionTimezone", &mut zones);
    for zone in zones {
        assert_eq!(zone.as_str(), Some("Asia/Tokyo"));
    }
}

#[test]
fn the_broadcast_function_ticks_every_minute_exactly_on_time() {
    let template = template();
    let tick = of_type(&template, "AWS::Scheduler::Schedule")
        .into_iter()
        .find(|(_, s)| sub_text(&s["Properties"]["Name"]) == Some("tayori-${Stage}-tick"))
        .map(|(_, s)| &s["Properties"])
        .expect("a schedule named tayori-${Stage}-tick");
    assert_eq!(
        tick["ScheduleExpression"].as_str(),
        Some("cron(* * * * ? *)")
    );
    assert_eq!(tick["FlexibleTimeWindow"]["Mode"].as_str(), Some("OFF"));
    assert_eq!(target(&tick["Target"]["Arn"]), Some("BroadcastFunction"));
    let role = target(&tick["Target"]["RoleArn"]).expect("the schedule has a role");
    let role_text = serde_yaml::to_string(resource(&template, role)).unwrap();
    assert!(role_text.contains("scheduler.amazonaws.com"));
    assert!(role_text.contains("lambda:InvokeFunction"));
}

#[test]
fn the_sample_scheduler_events_match_what_the_schedules_send() {
    let template = template();
    for (name, job) in [
        ("tick", "tick"),
        ("daily", "daily-housekeeping"),
        ("jma-poll", "jma-poll"),
    ] {
        let schedule = of_type(&template, "AWS::Scheduler::Schedule")
            .into_iter()
            .find(|(_, s)| {
                sub_text(&s["Properties"]["Name"]) == Some(&format!("tayori-${{Stage}}-{name}"))
            })
            .map(|(_, s)| &s["Properties"])
            .unwrap_or_else(|| panic!("schedule {name}"));
        let input: serde_json::Value =
            serde_json::from_str(schedule["Target"]["Input"].as_str().expect("Input is text"))
                .expect("the schedule's Input is JSON");
        let sample: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(repo_root().join(format!("events/scheduler/{name}.json")))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(input["detail"]["job"], job);
        assert_eq!(sample["detail"], input["detail"], "{name}");
        assert_eq!(input["time"], "<aws.scheduler.scheduled-time>");
        let keys = |v: &serde_json::Value| {
            v.as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(keys(&sample), keys(&input), "{name}");
    }
}

// ------------------------------------------------------------------ functions

const FUNCTIONS: [&str; 7] = [
    "webhook",
    "shelters",
    "reports",
    "forms",
    "broadcast",
    "export",
    "admin",
];

/// The `[package] name` of a Cargo.toml, read without a TOML parser.
fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some((key, value)) = line.split_once('=') {
                if key.trim() == "name" {
                    return Some(value.trim().trim_matches('"').to_string());
                }
            }
        }
    }
    None
}

#[test]
fn every_function_is_built_by_cargo_lambda_from_a_real_crate() {
    let template = template();
    let functions = of_type(&template, "AWS::Serverless::Function");
    let mut binaries = BTreeSet::new();
    for (id, function) in &functions {
        let metadata = &function["Metadata"];
        assert_eq!(
            metadata["BuildMethod"].as_str(),
            Some("rust-cargolambda"),
            "{id}"
        );
        assert_eq!(
            function["Properties"]["CodeUri"].as_str(),
            Some("."),
            "{id} builds from the workspace root"
        );
        let binary = metadata["BuildProperties"]["Binary"]
            .as_str()
            .unwrap_or_else(|| panic!("{id} names its binary"));
        let crate_dir = binary
            .strip_prefix("tayori-")
            .unwrap_or_else(|| panic!("{id}: binary {binary} is tayori-<function>"));
        let dir = repo_root().join("functions").join(crate_dir);
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
            .unwrap_or_else(|_| panic!("{id}: functions/{crate_dir}/Cargo.toml exists"));
        assert_eq!(
            package_name(&manifest).as_deref(),
            Some(binary),
            "{id}: the package is named like the binary"
        );
        assert!(
            dir.join("src/main.rs").is_file(),
            "{id}: {binary} has a main.rs, so the package's default binary exists"
        );
        binaries.insert(crate_dir.to_string());
    }
    let expected: BTreeSet<String> = FUNCTIONS.iter().map(|f| f.to_string()).collect();
    assert_eq!(binaries, expected, "one Lambda per function crate");
}

#[test]
fn package_names_are_read_from_the_package_section_only() {
    let manifest =
        "[workspace]\nname = \"no\"\n[package]\nname = \"tayori-x\"\n[[bin]]\nname = \"other\"\n";
    assert_eq!(package_name(manifest).as_deref(), Some("tayori-x"));
    assert_eq!(package_name("[dependencies]\nname = \"no\"\n"), None);
}

/// The variables a function's environment gets: the Globals, then its own. A value the stack
/// resolves at deploy time (a `!Ref`, `!If`, `!Join`…) stands in as a plausible value of its
/// kind, so that the function's settings parse exactly as they would in AWS.
/// A `!Sub` text with its pseudo parameters and references filled in plausibly (a resource's
/// name as `tayori-<name in lower case>`).
fn substituted(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("a closed ${…}") + start;
        out.push_str(&match &rest[start + 2..end] {
            "AWS::Region" => "ap-northeast-1".to_string(),
            "AWS::URLSuffix" => "amazonaws.com".to_string(),
            "AWS::AccountId" => "123456789012".to_string(),
            other => format!("tayori-{}", other.to_ascii_lowercase().replace("::", "-")),
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn deployed_environment(template: &Value, function: &str) -> Vec<(String, String)> {
    let own = &resource(template, function)["Properties"]["Environment"]["Variables"];
    let globals = &template["Globals"]["Function"]["Environment"]["Variables"];
    // Lambda itself sets AWS_REGION in every function's environment.
    let runtime: Value = serde_yaml::from_str("AWS_REGION: ap-northeast-1").unwrap();
    [&runtime, globals, own]
        .into_iter()
        .filter_map(Value::as_mapping)
        .flatten()
        .map(|(name, value)| {
            let name = name
                .as_str()
                .expect("variable names are strings")
                .to_owned();
            let value = match value.as_str() {
                // `!Ref MailFrom`: an address as its AllowedPattern lets through.
                _ if name == "MAIL_FROM" => "tayori@city.example.lg.jp".to_owned(),
                // `!Sub`: each `${…}` as CloudFormation would fill it, so the shape is checked.
                Some(literal) if literal.contains("${") => substituted(literal),
                Some(literal) => literal.to_owned(),
                None if name.ends_with("_URL") || name.ends_with("_BASE") => {
                    "https://line.example.jp".to_owned()
                }
                None if name.ends_with("_CIDRS") => "203.0.113.0/24".to_owned(),
                None => format!("resolved-{name}"),
            };
            (name, value)
        })
        .collect()
}

/// The value of `name` in a function's environment.
fn variable(environment: &[(String, String)], name: &str) -> Option<String> {
    environment
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

#[test]
fn every_function_gets_every_variable_its_settings_require() {
    let template = template();
    let lookup = |function: &str| {
        let environment = deployed_environment(&template, function);
        move |name: &str| variable(&environment, name)
    };
    tayori_webhook::settings::WebhookSettings::from_lookup(&lookup("WebhookFunction"))
        .expect("the webhook's settings");
    tayori_broadcast::settings::BroadcastSettings::from_lookup(&lookup("BroadcastFunction"))
        .expect("the broadcast function's settings");
    tayori_admin::settings::AdminSettings::from_lookup(&lookup("AdminFunction"))
        .expect("the console's settings");
    tayori_forms::settings::FormsSettings::from_lookup(&lookup("FormsFunction"))
        .expect("the forms function's settings");
    let reports =
        tayori_reports::settings::ReportsSettings::from_lookup(&lookup("ReportsFunction"))
            .expect("the reports function's settings (the upload origin for the form's policy)");
    assert_eq!(
        reports.reports.upload_origin.unwrap().as_str(),
        "https://s3.ap-northeast-1.amazonaws.com/tayori-bucket/"
    );
    tayori_export::settings::ExportSettings::from_lookup(&lookup("ExportFunction"))
        .expect("the export function's settings");
    let shelters =
        tayori_shelters::settings::SheltersSettings::from_lookup(&lookup("SheltersFunction"))
            .expect("the shelters function's settings (the public address for the map button)");
    assert_eq!(
        shelters.map_page_url(),
        "https://line.example.jp/liff/shelters/map"
    );
    let reports =
        tayori_reports::settings::ReportsSettings::from_lookup(&lookup("ReportsFunction"))
            .expect("the reports function's settings (the public address for thumbnails)");
    assert_eq!(reports.public_base_url, "https://line.example.jp");
    // And the check can fail: without its own variables the console would not start.
    let globals_only = deployed_environment(&template, "ExportFunction");
    let error =
        tayori_admin::settings::AdminSettings::from_lookup(&|name| variable(&globals_only, name))
            .unwrap_err();
    assert_eq!(
        error,
        tayori_runtime::ConfigError::Missing("ADMIN_ALLOWED_CIDRS")
    );
}

#[test]
fn the_runtime_and_architecture_are_set_once_in_globals() {
    let template = template();
    let globals = &template["Globals"]["Function"];
    assert_eq!(globals["Runtime"].as_str(), Some("provided.al2023"));
    assert_eq!(globals["Handler"].as_str(), Some("bootstrap"));
    assert_eq!(globals["Architectures"][0].as_str(), Some("x86_64"));
    assert_eq!(
        globals["Environment"]["Variables"]["AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH"].as_str(),
        Some("true")
    );
    for variable in [
        "TABLE_NAME",
        "BUCKET_NAME",
        "KMS_KEY_ID",
        "EVENT_BUS_NAME",
        "LINE_SECRET_ID",
        "LINE_API_BASE",
        "LINE_DATA_API_BASE",
        "RUST_LOG",
        "STAGE",
    ] {
        assert!(
            !globals["Environment"]["Variables"][variable].is_null(),
            "{variable} is set for every function"
        );
    }
    for (id, function) in of_type(&template, "AWS::Serverless::Function") {
        assert!(
            function["Properties"]["Architectures"].is_null(),
            "{id} inherits the architecture, so arm64 stays a one-line change"
        );
    }
}

#[test]
fn the_webhook_has_memory_enough_for_a_fast_tls_handshake() {
    let template = template();
    let memory = resource(&template, "WebhookFunction")["Properties"]["MemorySize"]
        .as_u64()
        .expect("the webhook sets its memory");
    assert!(memory >= 512, "{memory} MB");
}

#[test]
fn events_from_the_bus_reach_their_functions_with_permission() {
    let template = template();
    let rules = of_type(&template, "AWS::Events::Rule");
    let permissions = of_type(&template, "AWS::Lambda::Permission");
    for (detail_type, function) in [
        ("menu.switch-requested", "BroadcastFunction"),
        ("delivery.requested", "BroadcastFunction"),
        ("line.events-deferred", "WebhookFunction"),
        ("location.received", "SheltersFunction"),
    ] {
        let (rule_id, rule) = rules
            .iter()
            .find(|(_, r)| {
                r["Properties"]["EventPattern"]["detail-type"][0].as_str() == Some(detail_type)
            })
            .unwrap_or_else(|| panic!("a rule for {detail_type}"));
        assert_eq!(
            target(&rule["Properties"]["EventBusName"]),
            Some("EventBus")
        );
        let targets = rule["Properties"]["Targets"].as_sequence().unwrap();
        assert_eq!(target(&targets[0]["Arn"]), Some(function));
        assert!(
            target(&targets[0]["DeadLetterConfig"]["Arn"]).is_some(),
            "{rule_id} has a DLQ"
        );
        assert!(
            permissions.iter().any(|(_, p)| {
                target(&p["Properties"]["FunctionName"]) == Some(function)
                    && target(&p["Properties"]["SourceArn"]) == Some(rule_id)
                    && p["Properties"]["Principal"].as_str() == Some("events.amazonaws.com")
            }),
            "{function} lets {rule_id} invoke it"
        );
    }
}

// ------------------------------------------------------------------ data (6.1.4, 9.1.2)

#[test]
fn the_table_is_encrypted_with_the_key_recoverable_and_expires_short_lived_items() {
    let template = template();
    let (_, table) = of_type(&template, "AWS::DynamoDB::Table")
        .into_iter()
        .next()
        .expect("a table");
    let p = &table["Properties"];
    assert_eq!(p["BillingMode"].as_str(), Some("PAY_PER_REQUEST"));
    assert_eq!(
        p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(
        p["TimeToLiveSpecification"]["AttributeName"].as_str(),
        Some("expires_at")
    );
    assert_eq!(
        p["TimeToLiveSpecification"]["Enabled"].as_bool(),
        Some(true)
    );
    assert_eq!(p["SSESpecification"]["SSEEnabled"].as_bool(), Some(true));
    assert_eq!(p["SSESpecification"]["SSEType"].as_str(), Some("KMS"));
    let key = target(&p["SSESpecification"]["KMSMasterKeyId"]).expect("a customer managed key");
    assert_eq!(
        resource(&template, key)["Type"].as_str(),
        Some("AWS::KMS::Key")
    );
    assert_eq!(p["KeySchema"][0]["AttributeName"].as_str(), Some("pk"));
    assert_eq!(p["KeySchema"][1]["AttributeName"].as_str(), Some("sk"));
    let gsi = &p["GlobalSecondaryIndexes"][0];
    assert_eq!(gsi["IndexName"].as_str(), Some("gsi1"));
    assert_eq!(gsi["Projection"]["ProjectionType"].as_str(), Some("ALL"));
    assert_eq!(table["DeletionPolicy"].as_str(), Some("Retain"));
    assert_eq!(table["UpdateReplacePolicy"].as_str(), Some("Retain"));
}

#[test]
fn the_key_rotates() {
    let template = template();
    let keys = of_type(&template, "AWS::KMS::Key");
    // The data key is the template's own: a template without it must fail here, not pass.
    assert_eq!(keys.len(), 1, "one KMS key for the table, bucket and logs");
    for (id, key) in keys {
        assert_eq!(
            key["Properties"]["EnableKeyRotation"].as_bool(),
            Some(true),
            "{id}"
        );
    }
}

#[test]
fn the_bucket_blocks_public_access_keeps_versions_and_uses_the_key() {
    let template = template();
    let (bucket_id, bucket) = of_type(&template, "AWS::S3::Bucket")
        .into_iter()
        .next()
        .expect("a bucket");
    let p = &bucket["Properties"];
    for setting in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(
            p["PublicAccessBlockConfiguration"][setting].as_bool(),
            Some(true),
            "{setting}"
        );
    }
    assert_eq!(
        p["VersioningConfiguration"]["Status"].as_str(),
        Some("Enabled")
    );
    let rule = &p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
    assert_eq!(
        rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"].as_str(),
        Some("aws:kms")
    );
    assert!(target(&rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]).is_some());
    assert_eq!(rule["BucketKeyEnabled"].as_bool(), Some(true));
    assert_eq!(
        p["OwnershipControls"]["Rules"][0]["ObjectOwnership"].as_str(),
        Some("BucketOwnerEnforced")
    );

    let (_, policy) = of_type(&template, "AWS::S3::BucketPolicy")
        .into_iter()
        .find(|(_, bp)| target(&bp["Properties"]["Bucket"]) == Some(bucket_id))
        .expect("a policy on the bucket");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_sequence()
        .unwrap();
    assert!(statements.iter().any(|s| {
        s["Effect"].as_str() == Some("Deny")
            && s["Condition"]["Bool"]["aws:SecureTransport"].as_str() == Some("false")
    }));
    assert!(statements.iter().any(|s| {
        s["Effect"].as_str() == Some("Deny")
            && s["Action"].as_str() == Some("s3:PutObject")
            && serde_yaml::to_string(&s["Condition"])
                .unwrap()
                .contains("s3:x-amz-server-side-encryption: aws:kms")
    }));
}

// ------------------------------------------------------------------ WAF (9.1.1, 9.1.3)

/// The WebACL associated with the stage of `api`.
fn web_acl_of<'a>(template: &'a Value, api: &str) -> &'a Value {
    let (_, association) = of_type(template, "AWS::WAFv2::WebACLAssociation")
        .into_iter()
        .find(|(_, a)| {
            sub_text(&a["Properties"]["ResourceArn"])
                .is_some_and(|arn| arn.contains(&format!("/restapis/${{{api}}}/stages/")))
        })
        .unwrap_or_else(|| panic!("a WebACL is associated with {api}'s stage"));
    let acl = target(&association["Properties"]["WebACLArn"]).expect("a WebACL reference");
    resource(template, acl)
}

fn managed_groups(acl: &Value) -> BTreeSet<String> {
    acl["Properties"]["Rules"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|r| r["Statement"]["ManagedRuleGroupStatement"]["Name"].as_str())
        .map(str::to_string)
        .collect()
}

fn has_rate_limit(acl: &Value) -> bool {
    acl["Properties"]["Rules"]
        .as_sequence()
        .unwrap()
        .iter()
        .any(|r| {
            r["Statement"]["RateBasedStatement"].is_mapping() && r["Action"]["Block"].is_mapping()
        })
}

#[test]
fn the_console_is_blocked_except_from_the_city_offices() {
    let template = template();
    let acl = web_acl_of(&template, "AdminApi");
    assert_eq!(acl["Properties"]["Scope"].as_str(), Some("REGIONAL"));
    assert!(
        acl["Properties"]["DefaultAction"]["Block"].is_mapping(),
        "the console's WebACL blocks by default"
    );
    assert!(acl["Properties"]["DefaultAction"]["Allow"].is_null());

    let rules = acl["Properties"]["Rules"].as_sequence().unwrap();
    let allow = rules
        .iter()
        .find(|r| r["Action"]["Allow"].is_mapping())
        .expect("a rule allows the offices");
    let ip_set = target(&allow["Statement"]["IPSetReferenceStatement"]["Arn"])
        .expect("the allow rule matches an IP set");
    let ip_set = &resource(&template, ip_set)["Properties"];
    assert_eq!(target(&ip_set["Addresses"]), Some("AdminAllowedCidrs"));
    assert_eq!(ip_set["IPAddressVersion"].as_str(), Some("IPV4"));
    assert_eq!(
        template["Parameters"]["AdminAllowedCidrs"]["Type"].as_str(),
        Some("CommaDelimitedList")
    );
    // Allow ends evaluation, so it must come after the protective rules.
    let last = rules
        .iter()
        .filter_map(|r| r["Priority"].as_u64())
        .max()
        .unwrap();
    assert_eq!(allow["Priority"].as_u64(), Some(last));

    let groups = managed_groups(acl);
    assert!(groups.contains("AWSManagedRulesCommonRuleSet"));
    assert!(groups.contains("AWSManagedRulesKnownBadInputsRuleSet"));
    assert!(has_rate_limit(acl));
}

#[test]
fn the_public_api_is_open_but_filtered() {
    let template = template();
    let acl = web_acl_of(&template, "PublicApi");
    assert!(acl["Properties"]["DefaultAction"]["Allow"].is_mapping());
    let groups = managed_groups(acl);
    assert!(groups.contains("AWSManagedRulesCommonRuleSet"));
    assert!(groups.contains("AWSManagedRulesKnownBadInputsRuleSet"));
    assert!(has_rate_limit(acl));
}

/// CSV export is a filed capability, not a built one: until it lands its function answers
/// only its health route and holds no permission, rule or route to promise more.
/// The export function takes `export.requested` from the bus and the hourly sweep, writes only
/// under `exports/` (which expires after a day, old versions too), and needs no LINE secret.
#[test]
fn the_export_function_makes_and_sweeps_files_with_least_privilege() {
    let template = template();
    let rules: Vec<&serde_yaml::Value> = of_type(&template, "AWS::Events::Rule")
        .into_iter()
        .map(|(_, rule)| rule)
        .filter(|rule| {
            rule["Properties"]["EventPattern"]["detail-type"]
                .as_sequence()
                .is_some_and(|d| {
                    d.iter()
                        .any(|t| t.as_str() == Some(tayori_exports::EXPORT_REQUESTED))
                })
        })
        .collect();
    assert_eq!(rules.len(), 1);
    let targets = rules[0]["Properties"]["Targets"].as_sequence().unwrap();
    assert_eq!(target(&targets[0]["Arn"]), Some("ExportFunction"));
    assert!(targets[0]["DeadLetterConfig"].is_mapping());
    assert!(of_type(&template, "AWS::Lambda::Permission")
        .iter()
        .any(
            |(_, p)| target(&p["Properties"]["FunctionName"]) == Some("ExportFunction")
                && p["Properties"]["Principal"].as_str() == Some("events.amazonaws.com")
        ));

    let sweep = of_type(&template, "AWS::Scheduler::Schedule")
        .into_iter()
        .find(|(_, s)| target(&s["Properties"]["Target"]["Arn"]) == Some("ExportFunction"))
        .map(|(_, s)| &s["Properties"])
        .expect("a schedule for the export function");
    assert_eq!(
        sweep["ScheduleExpression"].as_str(),
        Some("cron(0 * * * ? *)")
    );
    assert!(sweep["Target"]["DeadLetterConfig"].is_mapping());
    // The schedule's payload is the bus event the function's handler takes.
    let input: serde_json::Value =
        serde_json::from_str(sweep["Target"]["Input"].as_str().unwrap()).unwrap();
    let event = tayori_runtime::from_event_bridge(&input).expect("a Tayori bus event");
    assert_eq!(event.detail_type, tayori_export::EXPORT_SWEEP);
    assert_eq!(event.detail["at"], "<aws.scheduler.scheduled-time>");
    let role = target(&sweep["Target"]["RoleArn"]).unwrap();
    let role_text = serde_yaml::to_string(resource(&template, role)).unwrap();
    assert!(role_text.contains("ExportFunction"), "{role_text}");

    let properties = &resource(&template, "ExportFunction")["Properties"];
    assert!(properties["DeadLetterQueue"].is_mapping());
    let policies = serde_yaml::to_string(&properties["Policies"]).unwrap();
    assert!(policies.contains("DynamoDBCrudPolicy"), "{policies}");
    assert!(policies.contains("${Bucket.Arn}/exports/*"), "{policies}");
    assert!(policies.contains("s3:AbortMultipartUpload"), "{policies}");
    assert!(policies.contains("kms:GenerateDataKey"), "{policies}");
    for broader in [
        "S3CrudPolicy",
        "LineSecret",
        "EventBridgePutEventsPolicy",
        "Resource: '*'",
    ] {
        assert!(!policies.contains(broader), "{broader} in {policies}");
    }

    let rules = serde_yaml::to_string(
        &resource(&template, "Bucket")["Properties"]["LifecycleConfiguration"]["Rules"],
    )
    .unwrap();
    let exports: serde_yaml::Value = resource(&template, "Bucket")["Properties"]
        ["LifecycleConfiguration"]["Rules"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|r| r["Prefix"].as_str() == Some("exports/"))
        .cloned()
        .unwrap_or_else(|| panic!("no exports/ rule in {rules}"));
    assert_eq!(exports["ExpirationInDays"].as_u64(), Some(1));
    assert_eq!(
        exports["NoncurrentVersionExpiration"]["NoncurrentDays"].as_u64(),
        Some(1)
    );
}

/// The report form and its API are on the public API and reach the reports function; its
/// uploads land under `uploads/`, which expires after a day, from the API's origin only.
#[test]
fn the_report_form_is_routed_publicly_and_its_uploads_expire() {
    let template = template();
    let properties = &resource(&template, "ReportsFunction")["Properties"];
    let mut routes: Vec<(String, String)> = properties["Events"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|e| e["Type"].as_str() == Some("Api"))
        .map(|e| {
            let p = &e["Properties"];
            assert_eq!(target(&p["RestApiId"]), Some("PublicApi"));
            (
                p["Path"].as_str().unwrap().to_string(),
                p["Method"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    routes.sort();
    let expected: Vec<(String, String)> = [
        ("/api/reports", "any"),
        ("/api/reports/healthz", "get"),
        ("/api/reports/{proxy+}", "any"),
        ("/liff/reports", "get"),
        ("/liff/reports/{proxy+}", "get"),
    ]
    .into_iter()
    .map(|(p, m)| (p.to_string(), m.to_string()))
    .collect();
    assert_eq!(routes, expected);
    assert_eq!(tayori_reports::REPORT_PAGE, "/liff/reports");
    assert_eq!(tayori_reports::STATIC_FILES, "/liff/reports/static/{*path}");

    let bucket = &resource(&template, "Bucket")["Properties"];
    let rules = bucket["LifecycleConfiguration"]["Rules"]
        .as_sequence()
        .unwrap();
    let uploads = rules
        .iter()
        .find(|r| r["Prefix"].as_str() == Some("uploads/"))
        .expect("a lifecycle rule for uploads/");
    assert_eq!(uploads["ExpirationInDays"].as_u64(), Some(1));
    // A deleted upload still carries its Exif: its old version goes after a day too.
    assert_eq!(
        uploads["NoncurrentVersionExpiration"]["NoncurrentDays"].as_u64(),
        Some(1)
    );
    assert!(tayori_reporting::UPLOAD_PREFIX.starts_with("uploads/"));
    let cors = &bucket["CorsConfiguration"]["CorsRules"][0];
    assert_eq!(cors["AllowedMethods"].as_sequence().unwrap().len(), 1);
    assert_eq!(cors["AllowedMethods"][0].as_str(), Some("PUT"));
}

/// Every route the shelters function serves is on the public API, and nothing else is routed
/// to it; it reads the table and writes only its pushes' retry keys.
#[test]
fn the_shelters_function_serves_its_map_and_api_publicly_with_least_privilege() {
    let template = template();
    let properties = &resource(&template, "SheltersFunction")["Properties"];
    let mut routes: Vec<(String, String, String)> = properties["Events"]
        .as_mapping()
        .unwrap()
        .values()
        .map(|e| {
            let p = &e["Properties"];
            assert_eq!(e["Type"].as_str(), Some("Api"));
            (
                target(&p["RestApiId"]).unwrap().to_string(),
                p["Method"].as_str().unwrap().to_string(),
                p["Path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    routes.sort();
    let expected: Vec<(String, String, String)> = [
        tayori_shelters::HEALTH_PATH,
        tayori_shelters::NEARBY_API,
        tayori_shelters::MAP_PAGE,
        "/liff/shelters/static/{proxy+}",
    ]
    .into_iter()
    .map(|path| ("PublicApi".into(), "get".into(), path.into()))
    .collect::<BTreeSet<_>>()
    .into_iter()
    .collect();
    assert_eq!(routes, expected);
    // The router's static route is what API Gateway's proxy path forwards.
    assert_eq!(
        tayori_shelters::STATIC_FILES,
        "/liff/shelters/static/{*path}"
    );

    let policies = serde_yaml::to_string(&properties["Policies"]).unwrap();
    assert!(policies.contains("DynamoDBReadPolicy"), "{policies}");
    assert!(!policies.contains("DynamoDBCrudPolicy"), "{policies}");
    assert!(
        !policies.contains("EventBridgePutEventsPolicy"),
        "{policies}"
    );
    assert!(!policies.contains("S3"), "{policies}");
    assert!(policies.contains("RETRYKEY#shelters/*"), "{policies}");
    assert!(policies.contains("LineSecret"), "{policies}");
}

/// The bus events about reports go to the reports function and nowhere else; it may read and
/// write the table and the bucket (photos, thumbnails), use the key and the LINE secret, and
/// publishes nothing.
#[test]
fn the_reports_function_takes_the_report_events_with_what_it_needs() {
    let template = template();
    for detail_type in [
        tayori_reports::REPORT_PHOTO_RECEIVED,
        tayori_reports::REPORT_STATUS_CHANGED,
    ] {
        let rules: Vec<&serde_yaml::Value> = of_type(&template, "AWS::Events::Rule")
            .into_iter()
            .map(|(_, rule)| rule)
            .filter(|rule| {
                rule["Properties"]["EventPattern"]["detail-type"]
                    .as_sequence()
                    .is_some_and(|d| d.iter().any(|t| t.as_str() == Some(detail_type)))
            })
            .collect();
        assert_eq!(rules.len(), 1, "{detail_type}");
        let targets = rules[0]["Properties"]["Targets"].as_sequence().unwrap();
        assert_eq!(targets.len(), 1, "{detail_type}");
        assert_eq!(target(&targets[0]["Arn"]), Some("ReportsFunction"));
        assert!(targets[0]["DeadLetterConfig"].is_mapping(), "{detail_type}");
    }
    let properties = &resource(&template, "ReportsFunction")["Properties"];
    let policies = serde_yaml::to_string(&properties["Policies"]).unwrap();
    assert!(policies.contains("DynamoDBCrudPolicy"), "{policies}");
    assert!(policies.contains("S3CrudPolicy"), "{policies}");
    assert!(policies.contains("kms:GenerateDataKey"), "{policies}");
    assert!(policies.contains("LineSecret"), "{policies}");
    assert!(
        !policies.contains("EventBridgePutEventsPolicy"),
        "{policies}"
    );
    assert!(!policies.contains("Resource: '*'"), "{policies}");
}

#[test]
fn the_report_samples_are_what_the_reports_function_handles() {
    let payload: serde_json::Value =
        serde_json::from_str(include_str!("../../events/bus/report-photo-received.json")).unwrap();
    let event = tayori_runtime::from_event_bridge(&payload).unwrap();
    assert_eq!(event.detail_type, tayori_reports::REPORT_PHOTO_RECEIVED);
    let photo: tayori_reporting::ReportPhotoReceived =
        serde_json::from_value(event.detail).unwrap();
    assert!(!photo.message_id.is_empty() && !photo.reply_token.is_empty());
    let payload: serde_json::Value =
        serde_json::from_str(include_str!("../../events/bus/report-status-changed.json")).unwrap();
    let event = tayori_runtime::from_event_bridge(&payload).unwrap();
    assert_eq!(event.detail_type, tayori_reports::REPORT_STATUS_CHANGED);
    let changed: tayori_reporting::ReportStatusChanged =
        serde_json::from_value(event.detail).unwrap();
    assert_eq!(changed.change_index, 1);
}

#[test]
fn the_location_sample_is_what_the_shelters_function_handles() {
    let payload: serde_json::Value =
        serde_json::from_str(include_str!("../../events/bus/location-received.json")).unwrap();
    let event = tayori_runtime::from_event_bridge(&payload).unwrap();
    assert_eq!(event.detail_type, tayori_shelters::LOCATION_RECEIVED);
    let location: tayori_domain::location::LocationReceived =
        serde_json::from_value(event.detail).unwrap();
    assert!(location.is_coordinate());
    assert_eq!(location.hazard, None);
    assert!(!location.reply_token.is_empty() && !location.webhook_event_id.is_empty());
}

#[test]
fn the_console_and_the_public_routes_live_on_separate_apis() {
    let template = template();
    let api_of = |function: &str| -> BTreeSet<(String, String)> {
        let events = resource(&template, function)["Properties"]["Events"]
            .as_mapping()
            .unwrap();
        events
            .values()
            .map(|e| {
                (
                    target(&e["Properties"]["RestApiId"]).unwrap().to_string(),
                    e["Properties"]["Path"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert!(api_of("WebhookFunction").contains(&("PublicApi".into(), "/line/webhook".into())));
    assert!(
        api_of("SheltersFunction").contains(&("PublicApi".into(), "/api/shelters/healthz".into()))
    );
    assert!(api_of("AdminFunction").contains(&("AdminApi".into(), "/admin/{proxy+}".into())));
    assert!(api_of("ExportFunction")
        .contains(&("AdminApi".into(), "/admin/api/exports/healthz".into())));
    for function in ["AdminFunction", "ExportFunction"] {
        assert!(
            api_of(function).iter().all(|(api, _)| api == "AdminApi"),
            "{function} is reachable only through the console API"
        );
    }
    for (id, api) in of_type(&template, "AWS::Serverless::Api") {
        assert_eq!(
            api["Properties"]["EndpointConfiguration"]["Type"].as_str(),
            Some("REGIONAL"),
            "{id}"
        );
    }
}

/// What a WAF rule statement sees of a request: the method and the URI path as the client sent
/// it (the stage included on the default endpoint, nothing in front behind a custom domain).
struct WebRequest<'a> {
    method: &'a str,
    path: &'a str,
}

/// The text of a search string, `${Stage}` standing for `stage`.
fn search_string(value: &Value, stage: &str) -> String {
    // `!Sub` first: serde_yaml's `as_str` also reads through tags.
    sub_text(value)
        .map(|s| s.replace("${Stage}", stage))
        .or_else(|| value.as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("a search string: {value:?}"))
}

/// Whether `statement` matches `request`, as WAF evaluates it. Only what the template uses is
/// understood; anything else fails the test rather than guessing.
fn waf_matches(statement: &Value, request: &WebRequest, stage: &str) -> bool {
    if let Some(all) = statement["AndStatement"]["Statements"].as_sequence() {
        return all.iter().all(|s| waf_matches(s, request, stage));
    }
    if let Some(any) = statement["OrStatement"]["Statements"].as_sequence() {
        return any.iter().any(|s| waf_matches(s, request, stage));
    }
    if statement["NotStatement"].is_mapping() {
        return !waf_matches(&statement["NotStatement"]["Statement"], request, stage);
    }
    let byte = &statement["ByteMatchStatement"];
    assert!(byte.is_mapping(), "statement not understood: {statement:?}");
    let field = &byte["FieldToMatch"];
    let mut seen = if field["UriPath"].is_mapping() {
        request.path.to_string()
    } else if field["Method"].is_mapping() {
        request.method.to_string()
    } else {
        panic!("field not understood: {field:?}")
    };
    for t in byte["TextTransformations"].as_sequence().unwrap() {
        match t["Type"].as_str() {
            Some("NONE") => {}
            Some("LOWERCASE") => seen = seen.to_lowercase(),
            other => panic!("transformation not understood: {other:?}"),
        }
    }
    let wanted = search_string(&byte["SearchString"], stage);
    match byte["PositionalConstraint"].as_str() {
        Some("EXACTLY") => seen == wanted,
        Some("STARTS_WITH") => seen.starts_with(&wanted),
        Some("ENDS_WITH") => seen.ends_with(&wanted),
        Some("CONTAINS") => seen.contains(&wanted),
        other => panic!("constraint not understood: {other:?}"),
    }
}

/// The rules of `acl` that look at `request`: managed groups and rate limits through their
/// scope-down statement, other rules through their statement.
fn rules_for<'a>(acl: &'a Value, request: &WebRequest, stage: &str) -> Vec<&'a Value> {
    acl["Properties"]["Rules"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter(|rule| {
            let statement = &rule["Statement"];
            let scoped = if statement["ManagedRuleGroupStatement"].is_mapping() {
                &statement["ManagedRuleGroupStatement"]["ScopeDownStatement"]
            } else if statement["RateBasedStatement"].is_mapping() {
                &statement["RateBasedStatement"]["ScopeDownStatement"]
            } else {
                statement
            };
            scoped.is_null() || waf_matches(scoped, request, stage)
        })
        .collect()
}

fn is_common_rule_set(rule: &Value) -> bool {
    rule["Statement"]["ManagedRuleGroupStatement"]["Name"].as_str()
        == Some("AWSManagedRulesCommonRuleSet")
}

/// The parameter a blocking rate limit of `rules` takes its limit from.
fn rate_limits<'a>(rules: &[&'a Value]) -> Vec<&'a str> {
    rules
        .iter()
        .filter(|r| r["Action"]["Block"].is_mapping())
        .filter_map(|r| target(&r["Statement"]["RateBasedStatement"]["Limit"]))
        .collect()
}

#[test]
fn only_lines_exact_webhook_post_skips_the_common_rules_and_the_per_ip_limit() {
    let template = template();
    let acl = web_acl_of(&template, "PublicApi");
    for (method, path) in [
        ("POST", "/prod/media/x/line/webhook"),
        ("POST", "/media/x/line/webhook"),
        ("POST", "/prod/api/registration/line/webhook"),
        ("GET", "/prod/line/webhook"),
        ("PUT", "/line/webhook"),
        ("POST", "/prod/line/webhook/x"),
        ("POST", "/prod/line/webhookx"),
        ("POST", "/staging/line/webhook"),
    ] {
        let rules = rules_for(acl, &WebRequest { method, path }, "prod");
        assert!(
            rules.iter().any(|r| is_common_rule_set(r)),
            "{method} {path} gets the common rule set"
        );
        assert_eq!(
            rate_limits(&rules),
            ["PublicRateLimit"],
            "{method} {path} gets the per-IP limit"
        );
    }
    // The default endpoint puts the stage in front; a custom domain puts nothing.
    for path in ["/prod/line/webhook", "/line/webhook"] {
        let rules = rules_for(
            acl,
            &WebRequest {
                method: "POST",
                path,
            },
            "prod",
        );
        assert!(!rules.iter().any(|r| is_common_rule_set(r)), "POST {path}");
        assert_eq!(rate_limits(&rules), ["WebhookRateLimit"], "POST {path}");
        assert!(
            rules.iter().any(
                |r| r["Statement"]["ManagedRuleGroupStatement"]["Name"].as_str()
                    == Some("AWSManagedRulesKnownBadInputsRuleSet")
            ),
            "known bad inputs are still refused on the webhook"
        );
    }
}

#[test]
fn lines_servers_get_a_rate_limit_of_their_own_far_above_a_citizens() {
    let template = template();
    let parameters = &template["Parameters"];
    let webhook = parameters["WebhookRateLimit"]["Default"].as_u64().unwrap();
    let public = parameters["PublicRateLimit"]["Default"].as_u64().unwrap();
    assert!(webhook >= 10 * public, "{webhook} vs {public}");
    assert!(parameters["WebhookRateLimit"]["MinValue"].as_u64().unwrap() >= public);
}

#[test]
fn the_webhook_keeps_concurrency_of_its_own_unless_the_account_has_none_to_spare() {
    let template = template();
    let reserved =
        &resource(&template, "WebhookFunction")["Properties"]["ReservedConcurrentExecutions"];
    let choice = intrinsic(reserved, "If")
        .and_then(Value::as_sequence)
        .expect("reserved concurrency is conditional");
    let condition = choice[0].as_str().unwrap();
    assert_eq!(target(&choice[1]), Some("WebhookReservedConcurrency"));
    assert_eq!(target(&choice[2]), Some("AWS::NoValue"));
    assert!(!template["Conditions"][condition].is_null(), "{condition}");
    let parameter = &template["Parameters"]["WebhookReservedConcurrency"];
    assert!(parameter["Default"].as_u64().unwrap() >= 10);
    assert_eq!(parameter["MinValue"].as_u64(), Some(0));
}

#[test]
fn a_custom_domain_is_optional_and_maps_each_api_at_its_root() {
    let template = template();
    let conditions = template["Conditions"].as_mapping().unwrap();
    for (api, domain, certificate) in [
        ("PublicApi", "PublicDomainName", "PublicCertificateArn"),
        ("AdminApi", "AdminDomainName", "AdminCertificateArn"),
    ] {
        for parameter in [domain, certificate] {
            assert_eq!(
                template["Parameters"][parameter]["Default"].as_str(),
                Some(""),
                "{parameter} is optional"
            );
        }
        let (mapping_id, mapping) = of_type(&template, "AWS::ApiGateway::BasePathMapping")
            .into_iter()
            .find(|(_, m)| target(&m["Properties"]["RestApiId"]) == Some(api))
            .unwrap_or_else(|| panic!("a base path mapping for {api}"));
        // An empty base path: the API's paths are the public paths, with no prefix.
        assert!(
            mapping["Properties"]["BasePath"]
                .as_str()
                .is_none_or(str::is_empty),
            "{mapping_id}"
        );
        let domain_id = target(&mapping["Properties"]["DomainName"]).unwrap();
        let name = resource(&template, domain_id);
        assert_eq!(name["Type"].as_str(), Some("AWS::ApiGateway::DomainName"));
        assert_eq!(target(&name["Properties"]["DomainName"]), Some(domain));
        assert_eq!(
            target(&name["Properties"]["RegionalCertificateArn"]),
            Some(certificate)
        );
        assert_eq!(
            name["Properties"]["EndpointConfiguration"]["Types"][0].as_str(),
            Some("REGIONAL")
        );
        // Nothing is created when the parameters are empty.
        for resource in [mapping, name] {
            let condition = resource["Condition"].as_str().expect("a condition");
            assert!(conditions.contains_key(condition), "{condition}");
        }
    }
}

#[test]
fn the_outputs_give_the_urls_for_the_endpoint_in_use() {
    let template = template();
    let outputs = &template["Outputs"];
    for (output, tail, domain) in [
        ("WebhookUrl", "/line/webhook", "PublicDomainName"),
        (
            "LiffRegistrationUrl",
            "/liff/registration",
            "PublicDomainName",
        ),
        ("AdminConsoleUrl", "/admin", "AdminDomainName"),
    ] {
        let choice = intrinsic(&outputs[output]["Value"], "If")
            .and_then(Value::as_sequence)
            .unwrap_or_else(|| panic!("{output} depends on the custom domain"));
        let custom = sub_text(&choice[1]).unwrap();
        let default = sub_text(&choice[2]).unwrap();
        assert_eq!(custom, format!("https://${{{domain}}}{tail}"), "{output}");
        assert!(
            default.starts_with("https://${") && default.ends_with(&format!("/${{Stage}}{tail}")),
            "{output}: {default}"
        );
    }
}

// ------------------------------------------------------------------ logs (9.1.4)

#[test]
fn every_log_group_keeps_logs_for_the_retention_period() {
    let template = template();
    let groups = of_type(&template, "AWS::Logs::LogGroup");
    assert!(groups.len() >= 9, "7 functions and 2 API access logs");
    for (id, group) in &groups {
        assert_eq!(
            target(&group["Properties"]["RetentionInDays"]),
            Some("LogRetentionDays"),
            "{id} has a retention"
        );
    }
    assert_eq!(
        template["Parameters"]["LogRetentionDays"]["Default"].as_u64(),
        Some(400)
    );
    let ids: BTreeSet<&str> = groups.iter().map(|(id, _)| *id).collect();
    for (id, function) in of_type(&template, "AWS::Serverless::Function") {
        let group = target(&function["Properties"]["LoggingConfig"]["LogGroup"])
            .unwrap_or_else(|| panic!("{id} logs to a group of this stack"));
        assert!(ids.contains(group), "{id} -> {group}");
    }
    for (id, api) in of_type(&template, "AWS::Serverless::Api") {
        let destination = sub_text(&api["Properties"]["AccessLogSetting"]["DestinationArn"])
            .unwrap_or_else(|| panic!("{id} writes access logs"));
        assert!(
            ids.iter()
                .any(|g| destination.contains(&format!("${{{g}}}"))),
            "{id}'s access logs go to a group with a retention"
        );
    }
}

// ------------------------------------------------------------------ sample events

#[test]
fn every_sample_line_webhook_is_signed_for_the_dev_secret() {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let dir = repo_root().join("events/line");
    let mut checked = 0;
    for kind in [
        "follow", "text", "location", "image", "postback", "unfollow",
    ] {
        let body = std::fs::read(dir.join(format!("{kind}.body.json"))).unwrap();
        let event: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(format!("{kind}.json"))).unwrap())
                .unwrap();
        assert_eq!(
            event["body"].as_str().unwrap().as_bytes(),
            &body[..],
            "{kind}: the event carries the body file's exact bytes"
        );
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"tayori-local-dev-secret").unwrap();
        mac.update(&body);
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(
            event["headers"]["x-line-signature"].as_str(),
            Some(expected.as_str()),
            "{kind}"
        );
        assert_eq!(event["httpMethod"], "POST");
        assert_eq!(event["path"], "/line/webhook");
        let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(parsed["events"][0]["webhookEventId"].is_string(), "{kind}");
        checked += 1;
    }
    assert_eq!(checked, 6);
}

/// 9.1.5: every alarm reaches the people on duty and tells them where the incident flow is.
#[test]
fn every_alarm_notifies_the_topic_and_points_to_the_incident_runbook() {
    let template = template();
    let alarms = of_type(&template, "AWS::CloudWatch::Alarm");
    assert!(alarms.len() >= 15, "an alarm per function and more");
    for (id, alarm) in &alarms {
        let actions = alarm["Properties"]["AlarmActions"].as_sequence().unwrap();
        assert!(
            actions.iter().any(|a| target(a) == Some("AlarmTopic")),
            "{id} notifies the alarm topic"
        );
        let description = alarm["Properties"]["AlarmDescription"].as_str().unwrap();
        assert!(
            description.contains("infra/runbook-incident.md"),
            "{id}: {description}"
        );
    }
    assert!(repo_root().join("infra/runbook-incident.md").exists());
}

#[test]
fn the_console_links_citizens_to_a_form_through_the_forms_liff_app() {
    let template = template();
    let environment = deployed_environment(&template, "AdminFunction");
    let lookup = |name: &str| {
        environment
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let settings = tayori_admin::settings::AdminSettings::from_lookup(&lookup)
        .expect("the console's settings");
    let form = tayori_domain::form::FormId::parse("f1").unwrap();
    // `!Ref FormsLiffId` reads as the parameter's name here: the link is the LIFF app's.
    assert_eq!(
        settings.forms_link.for_form(&form),
        "https://liff.line.me/FormsLiffId/f1"
    );
}

#[test]
fn staff_mail_is_optional_and_sent_only_by_the_forms_function_from_mail_from() {
    let template = template();
    let parameter = &template["Parameters"]["MailFrom"];
    assert_eq!(parameter["Default"].as_str(), Some(""));
    let pattern = allowed_by(parameter["AllowedPattern"].as_str().unwrap());
    assert!(pattern("tayori@city.obama.lg.jp"));
    assert!(pattern(""));
    assert!(!pattern("tayori"));
    assert!(!pattern("tayori@city"));

    let environment = deployed_environment(&template, "FormsFunction");
    assert!(environment.iter().any(|(n, _)| n == "MAIL_FROM"));
    let own = &resource(&template, "FormsFunction")["Properties"]["Environment"]["Variables"];
    assert_eq!(target(&own["MAIL_FROM"]), Some("MailFrom"));

    let policies = resource(&template, "FormsFunction")["Properties"]["Policies"]
        .as_sequence()
        .unwrap();
    let conditional: Vec<&[Value]> = policies
        .iter()
        .filter_map(|p| intrinsic(p, "If").and_then(Value::as_sequence))
        .map(Vec::as_slice)
        .collect();
    assert_eq!(conditional.len(), 1, "one policy depends on MailFrom");
    let [condition, granted, otherwise] = conditional[0] else {
        panic!("!If has three parts");
    };
    let condition = condition.as_str().unwrap();
    let equals = serde_yaml::to_string(&template["Conditions"][condition]).unwrap();
    assert!(equals.contains("MailFrom"), "{equals}");
    assert_eq!(target(otherwise), Some("AWS::NoValue"));
    let statements = granted["Statement"].as_sequence().unwrap();
    assert_eq!(statements.len(), 1);
    let statement = &statements[0];
    assert_eq!(statement["Action"].as_str(), Some("ses:SendEmail"));
    let resources = serde_yaml::to_string(&statement["Resource"]).unwrap();
    assert!(resources.contains(":identity/${MailFrom}"), "{resources}");
    assert!(!resources.contains('*'), "{resources}");
    assert_eq!(
        target(&statement["Condition"]["StringEquals"]["ses:FromAddress"]),
        Some("MailFrom")
    );

    // No other function may send mail.
    for (id, function) in of_type(&template, "AWS::Serverless::Function") {
        let text = serde_yaml::to_string(&function["Properties"]["Policies"]).unwrap();
        assert_eq!(text.contains("ses:"), id == "FormsFunction", "{id}");
    }
}

/// CloudFormation's AllowedPattern is a Java regular expression over the whole value; this one
/// is anchored and uses nothing the `regex` crate reads differently.
fn allowed_by(pattern: &str) -> impl Fn(&str) -> bool {
    let regex = regex::Regex::new(pattern).expect("the pattern compiles");
    move |value| regex.is_match(value)
}

/// The forms function: its LIFF pages and API on the public API, the form desk's events from
/// the bus (with a DLQ), and only what it needs: the table, the key, the LINE secret for its
/// pushes, putting the desk's events, and of the bucket only its uploads and answers' files.
#[test]
fn the_forms_function_serves_its_liff_forms_and_takes_the_form_events() {
    let template = template();
    let properties = &resource(&template, "FormsFunction")["Properties"];
    let mut routes: Vec<(String, String)> = properties["Events"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|e| e["Type"].as_str() == Some("Api"))
        .map(|e| {
            let p = &e["Properties"];
            assert_eq!(target(&p["RestApiId"]), Some("PublicApi"));
            (
                p["Path"].as_str().unwrap().to_string(),
                p["Method"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    routes.sort();
    for (path, method) in [
        ("/api/forms", "any"),
        ("/api/forms/{proxy+}", "any"),
        ("/liff/forms", "any"),
        ("/liff/forms/{proxy+}", "any"),
    ] {
        assert!(
            routes.contains(&(path.to_string(), method.to_string())),
            "{path} {method}: {routes:?}"
        );
    }
    assert_eq!(tayori_forms::FORMS_PAGE, "/liff/forms");
    assert_eq!(tayori_forms::FORMS_API, "/api/forms");

    for detail_type in [
        tayori_forms::FORM_ANSWERED,
        tayori_forms::FORM_ANSWER_STATUS_CHANGED,
    ] {
        let rules: Vec<(&str, &serde_yaml::Value)> = of_type(&template, "AWS::Events::Rule")
            .into_iter()
            .filter(|(_, rule)| {
                rule["Properties"]["EventPattern"]["detail-type"]
                    .as_sequence()
                    .is_some_and(|d| d.iter().any(|t| t.as_str() == Some(detail_type)))
            })
            .collect();
        assert_eq!(rules.len(), 1, "{detail_type}");
        let (name, rule) = rules[0];
        let targets = rule["Properties"]["Targets"].as_sequence().unwrap();
        assert_eq!(targets.len(), 1, "{detail_type}");
        assert_eq!(target(&targets[0]["Arn"]), Some("FormsFunction"));
        assert!(targets[0]["DeadLetterConfig"].is_mapping(), "{detail_type}");
        let permitted = of_type(&template, "AWS::Lambda::Permission")
            .into_iter()
            .any(|(_, p)| {
                target(&p["Properties"]["FunctionName"]) == Some("FormsFunction")
                    && target(&p["Properties"]["SourceArn"]) == Some(name)
            });
        assert!(
            permitted,
            "{detail_type}: EventBridge may invoke the function"
        );
    }

    let policies = serde_yaml::to_string(&properties["Policies"]).unwrap();
    assert!(policies.contains("DynamoDBCrudPolicy"), "{policies}");
    assert!(policies.contains("kms:GenerateDataKey"), "{policies}");
    assert!(policies.contains("LineSecret"), "{policies}");
    assert!(
        policies.contains("EventBridgePutEventsPolicy"),
        "{policies}"
    );
    assert!(
        !policies.contains("S3"),
        "no bucket-wide policy: {policies}"
    );
    // Its uploads and its answers' files, and nothing else of the bucket.
    let statements: Vec<&serde_yaml::Value> = properties["Policies"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|p| p["Statement"].as_sequence())
        .flatten()
        .collect();
    let s3: Vec<&&serde_yaml::Value> = statements
        .iter()
        .filter(|s| serde_yaml::to_string(&s["Action"]).unwrap().contains("s3:"))
        .collect();
    assert_eq!(s3.len(), 1, "{policies}");
    let actions = serde_yaml::to_string(&s3[0]["Action"]).unwrap();
    for action in ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"] {
        assert!(actions.contains(action), "{actions}");
    }
    assert!(!actions.contains('*'), "{actions}");
    let resources: Vec<String> = s3[0]["Resource"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|r| serde_yaml::to_string(r).unwrap())
        .collect();
    assert_eq!(resources.len(), 2, "{resources:?}");
    for prefix in [
        tayori_forms::FORM_UPLOAD_PREFIX,
        tayori_forms::FORM_FILE_PREFIX,
    ] {
        assert!(
            resources
                .iter()
                .any(|r| r.contains(&format!("${{Bucket.Arn}}/{prefix}*"))),
            "{prefix}: {resources:?}"
        );
    }
    assert!(tayori_forms::FORM_UPLOAD_PREFIX.starts_with("uploads/"));
    let own = &properties["Environment"]["Variables"];
    assert!(
        serde_yaml::to_string(&own["UPLOAD_ORIGIN"])
            .unwrap()
            .contains("${Bucket}"),
        "the pages may upload to the bucket"
    );
    assert!(!policies.contains("Resource: '*'"), "{policies}");

    let outputs = &template["Outputs"]["LiffFormsUrl"]["Value"];
    assert!(
        serde_yaml::to_string(outputs)
            .unwrap()
            .contains("/liff/forms"),
        "{outputs:?}"
    );
    let variables = &properties["Environment"]["Variables"];
    assert_eq!(target(&variables["FORMS_LIFF_ID"]), Some("FormsLiffId"));
}

#[test]
fn the_console_may_ask_the_export_function_for_a_file_on_the_bus_only() {
    let template = template();
    let policies = &resource(&template, "AdminFunction")["Properties"]["Policies"];
    let put_events: Vec<&Value> = policies
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|p| p.get("EventBridgePutEventsPolicy"))
        .collect();
    // 「CSVを作成」 publishes export.requested on the city's bus, and on no other.
    assert_eq!(put_events.len(), 1, "{policies:?}");
    assert_eq!(target(&put_events[0]["EventBusName"]), Some("EventBus"));
    let text = serde_yaml::to_string(policies).unwrap();
    assert!(!text.contains("events:*"), "{text}");
}

#[test]
fn the_forms_function_links_the_new_answer_mail_under_the_consoles_address() {
    let template = template();
    let variables = &resource(&template, "FormsFunction")["Properties"]["Environment"]["Variables"];
    let branches = |value: &Value| -> (String, String, String) {
        let choice = intrinsic(value, "If")
            .and_then(Value::as_sequence)
            .expect("an !If on the admin domain");
        (
            choice[0].as_str().unwrap().to_owned(),
            sub_text(&choice[1]).unwrap().to_owned(),
            sub_text(&choice[2]).unwrap().to_owned(),
        )
    };
    let (condition, with_domain, without) = branches(&variables["CONSOLE_BASE_URL"]);
    let (output_condition, console_with_domain, console_without) =
        branches(&template["Outputs"]["AdminConsoleUrl"]["Value"]);
    // The mail appends /admin/forms/…: the address is the console's, without its /admin,
    // whether the city gave the console its own domain or not.
    assert_eq!(condition, "HasAdminDomain");
    assert_eq!(output_condition, condition);
    assert_eq!(format!("{with_domain}/admin"), console_with_domain);
    assert_eq!(format!("{without}/admin"), console_without);

    let environment = deployed_environment(&template, "FormsFunction");
    let settings =
        tayori_forms::settings::FormsSettings::from_lookup(&|name| variable(&environment, name))
            .expect("the forms function's settings");
    assert!(
        settings
            .console_base_url
            .is_some_and(|url| url.starts_with("https://")),
        "the mail carries a full link"
    );
}
