//! ## What it does
//! Flags a `maintenanceWindows` entry that is not in the form the `postgresql` CRD
//! accepts: `Ddd:HH:MM-HH:MM` (a day `Mon` … `Sun`, then start and end times) or
//! `HH:MM-HH:MM` (every day), with hours 0–23 and minutes 0–59.
//!
//! ## Why is this bad?
//! The CRD's pattern rejects the whole `postgresql` object: the apply fails, and with it
//! every change to the cluster until the window is fixed. `Saturday 02:00-06:00` and
//! `Sat:2am-6am` read well and are refused.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     maintenanceWindows: ["Saturday:02:00-06:00"]
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     maintenanceWindows: ["Sat:02:00-06:00"]
//! ```

use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX407";

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn digit(b: u8) -> bool {
    b.is_ascii_digit()
}

/// `2[0-3]|[01]?\d`
fn hour(s: &str) -> bool {
    match s.as_bytes() {
        [a] => digit(*a),
        [a, b] => {
            (matches!(a, b'0' | b'1') && digit(*b)) || (*a == b'2' && matches!(b, b'0'..=b'3'))
        }
        _ => false,
    }
}

/// `[0-5]?\d`
fn minute(s: &str) -> bool {
    match s.as_bytes() {
        [a] => digit(*a),
        [a, b] => matches!(a, b'0'..=b'5') && digit(*b),
        _ => false,
    }
}

fn time(s: &str) -> bool {
    s.split_once(':').is_some_and(|(h, m)| hour(h) && minute(m))
}

/// The CRD's pattern, `^ *((Ddd):H:M|H:M)-(H:M) *$`.
pub fn valid_window(window: &str) -> bool {
    let window = window.trim_matches(' ');
    let Some((start, end)) = window.split_once('-') else {
        return false;
    };
    let start_ok = match start.split_once(':') {
        Some((day, rest)) if DAYS.contains(&day) => time(rest),
        _ => time(start),
    };
    start_ok && time(end)
}

/// A corrected spelling, when the mistake is a recognisable day name.
fn suggestion(window: &str) -> Option<String> {
    let (day, rest) = window.trim().split_once(':')?;
    let lower = day.to_ascii_lowercase();
    let fixed = DAYS
        .iter()
        .find(|d| lower.starts_with(&d.to_ascii_lowercase()))?;
    let candidate = format!("{fixed}:{rest}");
    valid_window(&candidate).then_some(candidate)
}

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        for (k, window) in cluster.maintenance_windows.iter().enumerate() {
            if valid_window(window) {
                continue;
            }
            let help = match suggestion(window) {
                Some(fixed) => format!("write `\"{fixed}\"`"),
                None => "write `\"Sat:02:00-06:00\"` (day, start, end) or `\"02:00-06:00\"` (every day); days are Mon, Tue, Wed, Thu, Fri, Sat, Sun".to_owned(),
            };
            findings.push(
                finding(
                    ID,
                    cluster_path(i).key("maintenanceWindows").index(k),
                    format!(
                        "maintenance window `{window}` of `{}` is not in the form `Ddd:HH:MM-HH:MM` or `HH:MM-HH:MM`",
                        cluster.name
                    ),
                )
                .with_help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_follow_the_crd_pattern() {
        for good in [
            "Sat:02:00-06:00",
            "01:00-02:00",
            " Sun:3:5-23:59 ",
            "0:0-0:0",
        ] {
            assert!(valid_window(good), "{good}");
        }
        for bad in [
            "Saturday:02:00-06:00",
            "sat:02:00-06:00",
            "Sat:24:00-06:00",
            "Sat:02:60-06:00",
            "Sat:02:00-Sun:06:00",
            "02:00",
            "Sat 02:00-06:00",
            "",
        ] {
            assert!(!valid_window(bad), "{bad}");
        }
        assert_eq!(
            suggestion("Saturday:02:00-06:00").as_deref(),
            Some("Sat:02:00-06:00")
        );
    }
}
