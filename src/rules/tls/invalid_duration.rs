//! ## What it does
//! Flags a certificate whose `tls.duration` or `tls.renewBefore` is not a Go duration
//! (`2160h`, `90m`, `1h30m`; days are not a unit), whose `duration` is under one hour, or
//! whose `renewBefore` is not shorter than its `duration`.
//!
//! ## Why is this bad?
//! cert-manager rejects a Certificate with an unreadable duration or one under an hour. A
//! `renewBefore` as long as the certificate's lifetime makes cert-manager renew it
//! continuously: every renewal rotates the key, restarts nothing, and floods the issuer
//! (Let's Encrypt rate-limits and then refuses).
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls:
//!       enabled: true
//!       duration: 90d
//!       renewBefore: 720h
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls:
//!       enabled: true
//!       duration: 2160h  # 90 days
//!       renewBefore: 720h
//! ```

use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX305";

const HOUR: f64 = 3600.0;

/// Seconds in a Go duration (`time.ParseDuration`): an optional sign, then one or more
/// decimal numbers each with a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`); `0` alone needs
/// no unit.
pub fn parse_go_duration(text: &str) -> Option<f64> {
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Some(0.0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let whole = digits(rest);
        let mut number_end = whole;
        let mut fraction = 0;
        if rest.as_bytes().get(whole) == Some(&b'.') {
            fraction = digits(rest.get(whole + 1..)?);
            number_end = whole + 1 + fraction;
        }
        if whole == 0 && fraction == 0 {
            return None;
        }
        let number: f64 = rest.get(..number_end)?.parse().ok().or_else(|| {
            // `1.` is a valid Go duration number; Rust wants a digit after the dot.
            rest.get(..whole)?.parse().ok()
        })?;
        rest = rest.get(number_end..)?;
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match rest.get(..unit_end)? {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => HOUR,
            _ => return None,
        };
        total += number * seconds;
        rest = rest.get(unit_end..)?;
    }
    Some(if negative { -total } else { total })
}

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        if !cluster.tls.enabled {
            continue;
        }
        let at = cluster_path(i).key("tls");
        let tls = &cluster.tls;
        let duration = parse_go_duration(tls.duration.trim());
        let renew_before = parse_go_duration(tls.renew_before.trim());
        for (key, text, parsed) in [
            ("duration", &tls.duration, duration),
            ("renewBefore", &tls.renew_before, renew_before),
        ] {
            if parsed.is_none() {
                let help = match days(text) {
                    Some(hours) => format!("Go durations have no days: write `{hours}h`"),
                    None => {
                        "write a Go duration in hours, minutes or seconds, e.g. `2160h` (90 days)"
                            .to_owned()
                    }
                };
                findings.push(
                    finding(
                        ID,
                        at.key(key),
                        format!(
                            "`{key}: {text}` of `{}` is not a duration cert-manager reads",
                            cluster.name
                        ),
                    )
                    .with_help(help),
                );
            }
        }
        let Some(duration) = duration else {
            continue;
        };
        if duration < HOUR {
            findings.push(
                finding(
                    ID,
                    at.key("duration"),
                    format!(
                        "`duration: {}` of `{}` is under one hour, the shortest certificate cert-manager issues",
                        tls.duration, cluster.name
                    ),
                )
                .with_help("use at least `1h`; the default is `2160h` (90 days)"),
            );
            continue;
        }
        if let Some(renew_before) = renew_before {
            if renew_before >= duration {
                findings.push(
                    finding(
                        ID,
                        at.key("renewBefore"),
                        format!(
                            "`renewBefore: {}` of `{}` is not shorter than `duration: {}`: cert-manager would renew the certificate continuously",
                            tls.renew_before, cluster.name, tls.duration
                        ),
                    )
                    .with_related(at.key("duration"), format!("duration is {}", tls.duration))
                    .with_help(format!(
                        "renew a third of the way before expiry: `renewBefore: {}`",
                        suggest_hours(duration / 3.0)
                    )),
                );
            }
        }
    }
}

/// `90d` as hours, for the help.
fn days(text: &str) -> Option<u64> {
    let n: u64 = text.trim().strip_suffix('d')?.parse().ok()?;
    n.checked_mul(24)
}

fn suggest_hours(seconds: f64) -> String {
    let hours = (seconds / HOUR).floor();
    if hours >= 1.0 {
        format!("{hours}h")
    } else {
        format!("{}m", (seconds / 60.0).floor().max(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("2160h"), Some(2160.0 * HOUR));
        assert_eq!(parse_go_duration("1h30m"), Some(5400.0));
        assert_eq!(parse_go_duration("1.5h"), Some(5400.0));
        assert_eq!(parse_go_duration(".5h"), Some(1800.0));
        assert_eq!(parse_go_duration("1.h"), Some(HOUR));
        assert_eq!(parse_go_duration("0"), Some(0.0));
        assert_eq!(parse_go_duration("-1h"), Some(-HOUR));
        assert_eq!(parse_go_duration("300ms"), Some(0.3));
        for bad in ["", "90d", "h", "1", "1hh", ".h", "1h 30m", "-", "2160"] {
            assert_eq!(parse_go_duration(bad), None, "{bad}");
        }
    }
}
