//! The shop's promotion calendar: what has been announced about each promotion, and when. The
//! env's calendar features (and anything else that must not see the true future) read only
//! this, never the true traffic.

use serde::Serialize;

use super::spec::PromotionSpec;

/// One announced promotion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Announcement {
    /// When the announcement is made [s since episode start]: the true start minus the lead
    /// (`announced_s`), at least 0.
    pub known_at_s: f64,
    /// The start as announced [s since episode start].
    pub start_s: f64,
    /// The peak multiplier as announced.
    pub peak: f64,
    /// The sale's length (ramp plus hold) as announced [s].
    pub duration_s: f64,
}

/// The announcements of `promotions` (those with `announced_s`), sorted by announced start.
pub fn announcements(promotions: &[PromotionSpec]) -> Vec<Announcement> {
    let mut out: Vec<Announcement> = promotions
        .iter()
        .filter_map(|p| {
            let lead = p.announced_s?;
            Some(Announcement {
                known_at_s: (p.start_s - lead).max(0.0),
                start_s: p.announced_start_s.unwrap_or(p.start_s),
                peak: p.announced_peak.unwrap_or(p.peak),
                duration_s: p.announced_duration_s.unwrap_or(p.ramp_s + p.hold_s),
            })
        })
        .collect();
    out.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    out
}
