//! Parenting support and the anti-bullying programme (MODEL.md §7.15).
//!
//! Parenting support reads households with youth and their parenting style; writes screen-time
//! mediation, the style, and the attachment of the household's current youth. Anti-bullying
//! writes which schools are covered this week (read by bullying in phase 2). Both act from the
//! first recorded week on.
//!
//! A course that turns rejecting parenting supportive also acts on the youth living in the
//! household now, not only on future newcomers: each anxious youth stops being anxious with
//! probability `1 - P_new / P_old`, where `P_old` and `P_new` are the attachment model's chances
//! of anxious attachment under the old and new style (§5, with the youth's own shyness and the
//! household's phone use). This is the coupling under which the youth's attachment is the one
//! they would have drawn under the new style with the same random number; a youth leaving
//! anxious attachment becomes avoidant with the model's conditional chance, else secure.

use rand::Rng;

use super::policy::LeverParams;
use super::population::{attachment, attachment_probabilities, parenting};
use super::Withdrawal;
use crate::engine::rng::{mix64, unit, TickStream};
use crate::policy::Part;

/// First generator index of parenting draws on the policy stream.
const PARENTING_RNG_BASE: usize = 1 << 41;

impl Withdrawal {
    /// Parenting support: households with youth, in a random order, once each.
    pub(super) fn policy_parenting(&mut self, l: &LeverParams, stream: &TickStream) {
        let courses = self
            .policy
            .ledger
            .affordable(Part::Parenting, l.household_cost);
        if courses == 0 {
            return;
        }
        let n = self.n();
        let households = self.households.parenting.len();
        let mut youth: Vec<(u32, u32)> = (0..n)
            .filter(|&i| self.traits.age[i] <= 17)
            .map(|i| (self.traits.household[i], i as u32))
            .collect();
        youth.sort_unstable();
        let mut with_youth = vec![false; households];
        for &(h, _) in &youth {
            with_youth[h as usize] = true;
        }
        let key = mix64(self.clock ^ 0x5eed);
        let mut order: Vec<(u64, usize)> = (0..households)
            .filter(|&h| with_youth[h] && self.policy.reached[h] == 0)
            .map(|h| (mix64(key ^ h as u64), h))
            .collect();
        order.sort_unstable();
        let mut done = 0;
        for &(k, h) in order.iter().take(courses as usize) {
            self.policy.reached[h] = 1;
            self.households.mediation[h] = 1;
            done += 1;
            if self.households.parenting[h] != parenting::REJECTING
                || unit(k as u32) >= l.parenting_effect
            {
                continue;
            }
            self.households.parenting[h] = parenting::SUPPORTIVE;
            let phone = self.households.parent_phone[h] as f64;
            let first = youth.partition_point(|&(g, _)| (g as usize) < h);
            for &(g, i) in &youth[first..] {
                if g as usize != h {
                    break;
                }
                let i = i as usize;
                if self.traits.attachment[i] != attachment::ANXIOUS {
                    continue;
                }
                let shy = self.traits.shyness[i] as f64;
                let (old, _) = attachment_probabilities(&self.p, parenting::REJECTING, shy, phone);
                let (new, avoidant) =
                    attachment_probabilities(&self.p, parenting::SUPPORTIVE, shy, phone);
                let mut rng = stream.agent_rng(PARENTING_RNG_BASE + i);
                if old > 0.0 && rng.random::<f64>() < 1.0 - new / old {
                    self.traits.attachment[i] = if rng.random::<f64>() < avoidant {
                        attachment::AVOIDANT
                    } else {
                        attachment::SECURE
                    };
                    self.policy.youth_shifted += 1;
                }
            }
        }
        self.policy
            .ledger
            .spend(Part::Parenting, done, l.household_cost);
        self.policy.households_reached += done;
    }

    /// Anti-bullying: as many schools as this week's money covers.
    pub(super) fn policy_anti_bullying(&mut self, l: &LeverParams) {
        let school_week = l.school_year_cost / 52.0;
        let schools = self
            .policy
            .ledger
            .affordable(Part::AntiBullying, school_week)
            .min(self.policy.covered.len() as u64);
        self.policy.covered.iter_mut().for_each(|c| *c = 0);
        for &h in self.policy.school_order.iter().take(schools as usize) {
            self.policy.covered[h as usize] = 1;
        }
        self.policy
            .ledger
            .spend(Part::AntiBullying, schools, school_week);
    }
}
