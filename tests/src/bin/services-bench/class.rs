//! A graduating class: one CSV of diplomas uploaded to the issuer, every offer redeemed over
//! OpenID4VCI by concurrent holders, every credential anchored on the registry.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use sigil_tests::load::holder::{Held, Holder};
use sigil_tests::load::{Endpoints, Offer};

use crate::{TARGET_CLASS_SECONDS, ms};

/// The format the class is issued in: the one the fast canonicaliser serves.
const FORMAT: &str = "ldp_vc";

/// What the class took, and its diplomas.
#[derive(Debug)]
pub struct Class {
    size: usize,
    holders: usize,
    upload: Duration,
    redeem: Duration,
    anchor: Duration,
    /// Credentials still waiting for an anchor once the last was issued.
    left: u64,
    /// One holder of the class, who holds every diploma (each holder's key is its own; the
    /// bench needs one that can present what it holds).
    pub holder: Holder,
    pub diplomas: Vec<Held>,
}

/// The class's CSV: the sample diploma's columns, a row per student.
fn csv(size: usize) -> String {
    let mut out = String::from(
        "name,studentId,dateOfBirth,degree.type,degree.name,fieldOfStudy,honours,graduationDate\n",
    );
    for row in 0..size {
        out.push_str(&format!(
            "Student {row},S-2026-{row:06},2004-05-17,BachelorDegree,Bachelor of Science in Mathematics,Mathematics,First Class,2026-06-30\n"
        ));
    }
    out
}

pub async fn run(api: &Endpoints, size: usize, holders: usize) -> anyhow::Result<Class> {
    let started = Instant::now();
    let offers = api.offer_csv(csv(size), FORMAT).await?;
    ensure!(offers.len() == size, "{} offers for {size} rows", offers.len());
    let upload = started.elapsed();

    let redeeming = Instant::now();
    let queue = Arc::new(Mutex::new(offers));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..holders.max(1) {
        let (api, queue) = (api.clone(), Arc::clone(&queue));
        tasks.spawn(async move { redeem(&api, &queue).await });
    }
    let mut holder = None;
    let mut diplomas = Vec::with_capacity(size);
    while let Some(done) = tasks.join_next().await {
        let (one, held) = done.context("a holder stopped")??;
        if holder.is_none() && !held.is_empty() {
            holder = Some(one);
            diplomas.extend(held);
        }
    }
    let redeem = redeeming.elapsed();

    // The issuer anchors every second while it issues (as the tests start it); what is left
    // is anchored now, a batch at a time, until a round finds nothing waiting — under the
    // issuer's anchoring lock, so then every credential of the class is on the registry.
    let anchoring = Instant::now();
    let mut left = 0;
    loop {
        let count = api.anchor_now().await?;
        if count == 0 {
            break;
        }
        left += count;
    }
    let anchor = anchoring.elapsed();
    Ok(Class {
        size,
        holders,
        upload,
        redeem,
        anchor,
        left,
        holder: holder.context("no holder received a diploma")?,
        diplomas,
    })
}

/// One holder's loop: redeems offers from the queue until it is empty; the holder and what
/// it received.
async fn redeem(api: &Endpoints, queue: &Mutex<Vec<Offer>>) -> anyhow::Result<(Holder, Vec<Held>)> {
    let holder = Holder::new(api.http.clone());
    let mut held = Vec::new();
    loop {
        let Some(offer) = queue.lock().ok().and_then(|mut offers| offers.pop()) else {
            return Ok((holder, held));
        };
        let credential = holder
            .receive(&offer.offer_uri, &offer.pin)
            .await
            .with_context(|| format!("redeeming {}", offer.credential_id))?;
        held.push(Held {
            id: offer.credential_id,
            format: FORMAT,
            credential,
        });
    }
}

/// What keeps the class above its target, as the issuer's profile under this load
/// (`docs/profiles/issuer-stop-29.txt`) shows it.
const IN_THE_WAY: &str = "\n\nWhat stands in the way: the issuer's one database writer and the threads its statements cross. A diploma is two writes (the token's redemption, and the credential's record with its audit entry); the writer commits every write queued together, so `fsync` is no longer the limit, but it runs their statements one at a time, and each is a round trip to the thread sqlx gives the SQLite connection, as is every read through the pool. In the issuer's profile under this load (`docs/profiles/issuer-stop-29.txt`) the function with the most samples of its own is the kernel's switch between threads (12.5%; futex calls 17%, with sqlx's channel around them), while SQLite's own work is about a quarter and signing the diplomas too little to rank. Running the writer's statements on the connection's own thread, without a hand-off per statement, is the next step.";

impl Class {
    pub fn markdown(&self) -> String {
        let total = self.upload + self.redeem + self.anchor;
        let per_second = self.size as f64 / self.redeem.as_secs_f64().max(f64::EPSILON);
        format!(
            "**A graduating class:** {size} diplomas from one CSV — offers made, each redeemed over OpenID4VCI (offer, metadata, token with PIN, nonce, proof of possession, credential: six requests) by {holders} holders at once, each signed and stored; the issuer anchors what it issued every second meanwhile, and the rest once the last is issued.\n\n\
             | step | time ms | |\n|---|---|---|\n\
             | CSV upload: {size} offers checked and stored | {upload} | |\n\
             | {size} diplomas issued over OpenID4VCI | {redeem} | {per_second:.0} diplomas/s |\n\
             | the rest anchored on the registry | {anchor} | {left} credentials were left |\n\
             | **total** | **{total_ms}** | target < {target:.0} s: **{verdict}** |{in_the_way}",
            size = self.size,
            holders = self.holders,
            upload = ms(self.upload),
            redeem = ms(self.redeem),
            anchor = ms(self.anchor),
            left = self.left,
            total_ms = ms(total),
            target = TARGET_CLASS_SECONDS,
            verdict = if total.as_secs_f64() < TARGET_CLASS_SECONDS {
                "met"
            } else {
                "not met"
            },
            in_the_way = if total.as_secs_f64() < TARGET_CLASS_SECONDS {
                ""
            } else {
                IN_THE_WAY
            },
        )
    }
}
