//! The request state a stateless-era client echoes back with the user's
//! answer: proof that iamlens asked about exactly this plan, recently, and
//! that the answer has not been used before. Signed with a secret made when
//! the process starts (HMAC-SHA256), so a caller can neither compute nor
//! forge one, and a state from another server process is worthless.
//!
//! Shape: `iamlens-confirm.v1.<plan id>.<nonce>.<expiry, unix seconds>.<mac hex>`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const PREFIX: &str = "iamlens-confirm.v1";

/// How long a question stays answerable.
pub const LIFETIME: Duration = Duration::from_secs(600);

/// Why an echoed state was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// Not made by this process (wrong shape or signature).
    Forged,
    /// Made for another plan.
    OtherPlan,
    Expired,
    /// Already answered once.
    Replayed,
}

/// Issues and redeems signed states; one per server process.
pub struct StateSigner {
    key: [u8; 32],
    redeemed: Mutex<HashSet<String>>,
}

impl Default for StateSigner {
    fn default() -> Self {
        StateSigner::new(fresh_secret())
    }
}

impl StateSigner {
    pub fn new(key: [u8; 32]) -> StateSigner {
        StateSigner { key, redeemed: Mutex::default() }
    }

    /// A state for a question about `plan_id`, valid for [`LIFETIME`].
    pub fn issue(&self, plan_id: &str) -> String {
        self.issue_at(plan_id, now())
    }

    fn issue_at(&self, plan_id: &str, now: u64) -> String {
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let expiry = now + LIFETIME.as_secs();
        let body = format!("{PREFIX}.{plan_id}.{nonce}.{expiry}");
        let mac = hex(&self.mac(&body));
        format!("{body}.{mac}")
    }

    /// Accept `state` for `plan_id` once: signed by this process, for this
    /// plan, not expired, not used before.
    pub fn redeem(&self, state: &str, plan_id: &str) -> Result<(), Rejected> {
        self.redeem_at(state, plan_id, now())
    }

    fn redeem_at(&self, state: &str, plan_id: &str, now: u64) -> Result<(), Rejected> {
        let (body, mac) = state.rsplit_once('.').ok_or(Rejected::Forged)?;
        let mac = unhex(mac).ok_or(Rejected::Forged)?;
        let mut check = self.keyed();
        check.update(body.as_bytes());
        check.verify_slice(&mac).map_err(|_| Rejected::Forged)?;
        let rest = body.strip_prefix(PREFIX).and_then(|r| r.strip_prefix('.')).ok_or(Rejected::Forged)?;
        let mut parts = rest.split('.');
        let (Some(plan), Some(nonce), Some(expiry), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(Rejected::Forged);
        };
        if plan != plan_id {
            return Err(Rejected::OtherPlan);
        }
        let expiry: u64 = expiry.parse().map_err(|_| Rejected::Forged)?;
        if now > expiry {
            return Err(Rejected::Expired);
        }
        let mut redeemed = self.redeemed.lock().unwrap_or_else(|e| e.into_inner());
        if !redeemed.insert(nonce.to_string()) {
            return Err(Rejected::Replayed);
        }
        Ok(())
    }

    fn keyed(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).expect("HMAC takes keys of any length")
    }

    fn mac(&self, body: &str) -> Vec<u8> {
        let mut mac = self.keyed();
        mac.update(body.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// 32 random bytes (from two v4 UUIDs, the OS generator).
fn fresh_secret() -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_800_000_000;

    #[test]
    fn a_state_is_accepted_once_for_its_plan() {
        let signer = StateSigner::default();
        let state = signer.issue_at("plan-a", T0);
        assert_eq!(signer.redeem_at(&state, "plan-a", T0 + 5), Ok(()));
        assert_eq!(signer.redeem_at(&state, "plan-a", T0 + 6), Err(Rejected::Replayed));
    }

    #[test]
    fn another_plan_an_expired_state_and_a_forgery_are_refused() {
        let signer = StateSigner::default();
        let state = signer.issue_at("plan-a", T0);
        assert_eq!(signer.redeem_at(&state, "plan-b", T0), Err(Rejected::OtherPlan));
        assert_eq!(signer.redeem_at(&state, "plan-a", T0 + LIFETIME.as_secs() + 1), Err(Rejected::Expired));
        // The plan id swapped in the text breaks the signature.
        let swapped = state.replacen("plan-a", "plan-b", 1);
        assert_eq!(signer.redeem_at(&swapped, "plan-b", T0), Err(Rejected::Forged));
        // What the previous, unsigned scheme accepted.
        assert_eq!(signer.redeem_at("iamlens-confirm:plan-a", "plan-a", T0), Err(Rejected::Forged));
        assert_eq!(signer.redeem_at("", "plan-a", T0), Err(Rejected::Forged));
    }

    #[test]
    fn a_state_from_another_process_is_worthless() {
        let ours = StateSigner::default();
        let theirs = StateSigner::default();
        let state = theirs.issue_at("plan-a", T0);
        assert_eq!(ours.redeem_at(&state, "plan-a", T0), Err(Rejected::Forged));
    }
}
