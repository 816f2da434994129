//! Offers and the status positions they reserve: creating them (all of a batch or none),
//! finding one by code or by access token, and writing a transition — conditionally on the
//! version it started from, so that of two requests racing on one offer only one wins.
//! A redemption reads and writes in one job of the database's writer, so nothing can come
//! between the two.

use std::collections::HashSet;
use std::sync::Arc;

use rand::Rng as _;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _, IntoActiveModel as _,
    PaginatorTrait as _, QueryFilter as _, QuerySelect as _,
};
use sigil_core::issue::CredentialFormat;
use sigil_core::lifecycle::OfferState;
use sigil_core::time::Timestamp;

use super::entities::{offer, status_position};
use super::records::{AuditEntry, append_audit};
use super::{DbErr, Store};
use crate::domain::offer::TokenGrant;
use crate::domain::{AccessToken, IssuedCredential, Offer, OfferDraft, RedeemError, StatusPosition};
use sigil_service::tokens::digest;

/// Status positions per list (W3C Bitstring Status List v1.0 §6.1: at least 131,072 entries,
/// so that one credential's position says little about its holder).
pub const LIST_SIZE: i64 = 131_072;

/// How full a list may get before new credentials go to the next one: random positions in a
/// half-empty list are found in a couple of tries.
const LIST_FILL: u64 = (LIST_SIZE / 2).unsigned_abs();

/// Rows written (or positions checked) by one statement: an offer has 19 columns, so a
/// statement binds about 5,000 values, well under SQLite's limit of 32,766.
const ROWS_PER_INSERT: usize = 256;

/// What [`Store::redeem_offer`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Redemption {
    /// The code and PIN were right; the stored offer now holds the token's digest.
    Granted(AccessToken),
    /// No offer has this code.
    UnknownCode,
    /// The transition refused; a wrong PIN's counted attempt (the offer in
    /// [`RedeemError::WrongPin`]) is stored.
    Refused(RedeemError),
}

/// Why [`Store::record_issuance`] recorded nothing.
#[derive(Debug, thiserror::Error)]
pub enum IssuanceError {
    /// Another request issued the offer's credential (or otherwise changed it) first.
    #[error("the credential was already issued")]
    AlreadyIssued,
    #[error(transparent)]
    Store(#[from] DbErr),
}

/// Told the number of offers stored so far while a batch is written.
pub type Progress = Arc<dyn Fn(usize) + Send + Sync>;

impl Store {
    /// Stores offers in one transaction — all of them or none — giving each a random free
    /// position in the current status list. Returns the offers and the lists they went into.
    pub async fn insert_offers(&self, drafts: Vec<OfferDraft>) -> Result<(Vec<Offer>, Vec<i32>), DbErr> {
        self.insert_offers_reporting(drafts, Arc::new(|_| {})).await
    }

    /// [`Store::insert_offers`], calling `progress` with the count stored so far (not yet
    /// committed) after each offer.
    pub async fn insert_offers_reporting(
        &self,
        drafts: Vec<OfferDraft>,
        progress: Progress,
    ) -> Result<(Vec<Offer>, Vec<i32>), DbErr> {
        self.write(move |txn| {
            Box::pin(async move {
                let ids: Vec<&str> = drafts.iter().map(|draft| draft.id.as_str()).collect();
                let positions = PositionAllocator::resume(txn).await?.reserve(txn, &ids).await?;
                let mut lists: Vec<i32> = positions.iter().map(|position| position.list).collect();
                lists.dedup();
                let offers: Vec<Offer> = drafts
                    .into_iter()
                    .zip(positions)
                    .map(|(draft, position)| Offer::open(draft, position))
                    .collect();
                for (done, chunk) in offers.chunks(ROWS_PER_INSERT).enumerate() {
                    let rows = chunk
                        .iter()
                        .map(|offer| offer_row(offer).into_active_model().reset_all());
                    offer::Entity::insert_many(rows)
                        .exec_without_returning(txn)
                        .await?;
                    progress(done * ROWS_PER_INSERT + chunk.len());
                }
                Ok((offers, lists))
            })
        })
        .await
    }

    /// Reserves a status position for a credential recorded without an offer (the VC API).
    /// The position stays reserved even if the credential is never signed.
    pub async fn reserve_position(&self, credential_id: &str) -> Result<StatusPosition, DbErr> {
        let credential_id = credential_id.to_owned();
        self.write(move |txn| {
            Box::pin(async move {
                let mut allocator = PositionAllocator::resume(txn).await?;
                let reserved = allocator.reserve(txn, &[credential_id.as_str()]).await?;
                reserved
                    .into_iter()
                    .next()
                    .ok_or_else(|| DbErr::Custom("no status position was reserved".to_owned()))
            })
        })
        .await
    }

    /// An offer by id.
    pub async fn offer(&self, id: &str) -> Result<Option<Offer>, DbErr> {
        offer_where(&self.db, offer::Column::Id, id).await
    }

    /// The offer a pre-authorized code (or the offer URL holding it) belongs to.
    pub async fn offer_by_code(&self, code_digest: &str) -> Result<Option<Offer>, DbErr> {
        offer_where(&self.db, offer::Column::CodeHash, code_digest).await
    }

    /// The offer an access token was granted for.
    pub async fn offer_by_token(&self, token_digest: &str) -> Result<Option<Offer>, DbErr> {
        offer_where(&self.db, offer::Column::AccessTokenHash, token_digest).await
    }

    /// Redeems the offer of `code` with `pin` ([`Offer::redeem`]) and stores the outcome, in
    /// one write: every wrong PIN counts, and of two right ones only one gets a token.
    pub async fn redeem_offer(&self, code: &str, pin: &str, now: Timestamp) -> Result<Redemption, DbErr> {
        let (code, pin) = (code.to_owned(), pin.to_owned());
        self.write(move |txn| {
            Box::pin(async move {
                let Some(offer) = offer_where(txn, offer::Column::CodeHash, &digest(&code)).await? else {
                    return Ok(Redemption::UnknownCode);
                };
                let (next, outcome) = match offer.redeem(&code, &pin, now) {
                    Ok((next, token)) => (next, Redemption::Granted(token)),
                    Err(RedeemError::WrongPin {
                        offer: counted,
                        attempts_left,
                    }) => (
                        (*counted).clone(),
                        Redemption::Refused(RedeemError::WrongPin {
                            offer: counted,
                            attempts_left,
                        }),
                    ),
                    Err(refused) => return Ok(Redemption::Refused(refused)),
                };
                // Nothing writes between this job's read and its write; were the offer changed
                // anyway, the token must not be handed out.
                if !save_offer(txn, &offer, &next).await? {
                    return Err(DbErr::RecordNotUpdated);
                }
                Ok(outcome)
            })
        })
        .await
    }

    /// Writes `next`, a transition of `previous`, only if the stored offer is still at
    /// `previous`'s version: false if another request changed it first.
    pub async fn save_offer(&self, previous: &Offer, next: &Offer) -> Result<bool, DbErr> {
        let (previous, next) = (previous.clone(), next.clone());
        self.write(move |txn| Box::pin(async move { save_offer(txn, &previous, &next).await }))
            .await
    }

    /// Replaces the offer `previous` by the credential issued from it and logs `audit`, in one
    /// transaction — only if the offer is still at `previous`'s version (this is what spends
    /// the access token).
    pub async fn record_issuance(
        &self,
        previous: &Offer,
        issued: &IssuedCredential,
        audit: AuditEntry,
    ) -> Result<(), IssuanceError> {
        let (id, version) = (previous.id.clone(), previous.version);
        let row = super::issued::issued_row(issued).into_active_model().reset_all();
        self.write(move |txn| {
            Box::pin(async move {
                let deleted = offer::Entity::delete_many()
                    .filter(offer::Column::Id.eq(id))
                    .filter(offer::Column::Version.eq(version))
                    .exec(txn)
                    .await?;
                if deleted.rows_affected != 1 {
                    return Err(IssuanceError::AlreadyIssued);
                }
                row.insert(txn).await?;
                append_audit(txn, audit).await?;
                Ok(())
            })
        })
        .await
    }
}

/// The offer whose `column` (unique) holds `value`.
async fn offer_where(
    db: &impl ConnectionTrait,
    column: offer::Column,
    value: &str,
) -> Result<Option<Offer>, DbErr> {
    offer::Entity::find()
        .filter(column.eq(value))
        .one(db)
        .await?
        .map(offer_from_row)
        .transpose()
}

/// Writes `next` over `previous` if the stored offer is still at `previous`'s version.
async fn save_offer(db: &impl ConnectionTrait, previous: &Offer, next: &Offer) -> Result<bool, DbErr> {
    let result = offer::Entity::update_many()
        .set(offer_row(next).into_active_model().reset_all())
        .filter(offer::Column::Id.eq(previous.id.as_str()))
        .filter(offer::Column::Version.eq(previous.version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Gives out status positions inside one transaction: random free indexes in the newest
/// list, moving to the next list once this one is [`LIST_FILL`] full. A batch's positions
/// are drawn together and checked against the stored ones with a query per
/// [`ROWS_PER_INSERT`], not one per position.
struct PositionAllocator {
    list: i32,
    used: u64,
}

impl PositionAllocator {
    async fn resume(db: &impl ConnectionTrait) -> Result<PositionAllocator, DbErr> {
        let list = status_position::Entity::find()
            .select_only()
            .column_as(status_position::Column::StatusList.max(), "max")
            .into_tuple::<Option<i32>>()
            .one(db)
            .await?
            .flatten()
            .unwrap_or(1);
        let used = status_position::Entity::find()
            .filter(status_position::Column::StatusList.eq(list))
            .count(db)
            .await?;
        Ok(PositionAllocator { list, used })
    }

    /// Reserves a position for each of `credential_ids`, in order.
    async fn reserve(
        &mut self,
        db: &impl ConnectionTrait,
        credential_ids: &[&str],
    ) -> Result<Vec<StatusPosition>, DbErr> {
        let mut positions = Vec::with_capacity(credential_ids.len());
        let mut left = credential_ids;
        while !left.is_empty() {
            if self.used >= LIST_FILL {
                self.list += 1;
                self.used = 0;
            }
            let room = usize::try_from(LIST_FILL - self.used).unwrap_or(usize::MAX);
            let (these, rest) = left.split_at(left.len().min(room));
            let indexes = self.free_indexes(db, these.len()).await?;
            for chunk in these
                .iter()
                .zip(&indexes)
                .collect::<Vec<_>>()
                .chunks(ROWS_PER_INSERT)
            {
                let rows = chunk.iter().map(|(credential_id, index)| {
                    status_position::Model {
                        status_list: self.list,
                        status_index: **index,
                        credential_id: (**credential_id).to_owned(),
                    }
                    .into_active_model()
                    .reset_all()
                });
                status_position::Entity::insert_many(rows)
                    .exec_without_returning(db)
                    .await?;
            }
            positions.extend(indexes.into_iter().map(|index| StatusPosition {
                list: self.list,
                index,
            }));
            self.used += these.len() as u64;
            left = rest;
        }
        Ok(positions)
    }

    /// `count` distinct random indexes of the current list that no stored position holds.
    async fn free_indexes(&self, db: &impl ConnectionTrait, count: usize) -> Result<Vec<i64>, DbErr> {
        let mut drawn = HashSet::with_capacity(count);
        let mut draw = || loop {
            let candidate = rand::thread_rng().gen_range(0..LIST_SIZE);
            if drawn.insert(candidate) {
                break candidate;
            }
        };
        let mut free = Vec::with_capacity(count);
        let mut unchecked: Vec<i64> = (0..count).map(|_| draw()).collect();
        while !unchecked.is_empty() {
            let mut taken = HashSet::new();
            for chunk in unchecked.chunks(ROWS_PER_INSERT) {
                let stored: Vec<i64> = status_position::Entity::find()
                    .select_only()
                    .column(status_position::Column::StatusIndex)
                    .filter(status_position::Column::StatusList.eq(self.list))
                    .filter(status_position::Column::StatusIndex.is_in(chunk.iter().copied()))
                    .into_tuple()
                    .all(db)
                    .await?;
                taken.extend(stored);
            }
            free.extend(unchecked.iter().filter(|index| !taken.contains(index)));
            // A taken index stays drawn, so it is never drawn again.
            unchecked = (0..taken.len()).map(|_| draw()).collect();
        }
        Ok(free)
    }
}

/// A time read from the database (Unix seconds).
pub(super) fn time(seconds: i64) -> Result<Timestamp, DbErr> {
    chrono::DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| DbErr::Custom(format!("stored time {seconds} is out of range")))
}

/// A credential format read from the database.
pub(super) fn format(name: &str) -> Result<CredentialFormat, DbErr> {
    CredentialFormat::parse(name).ok_or_else(|| DbErr::Custom(format!("stored format {name:?} is unknown")))
}

pub(super) fn offer_from_row(row: offer::Model) -> Result<Offer, DbErr> {
    let claims = serde_json::from_str(&row.claims)
        .map_err(|e| DbErr::Custom(format!("offer {}: stored claims: {e}", row.id)))?;
    let state = OfferState::parse(&row.state)
        .ok_or_else(|| DbErr::Custom(format!("offer {}: stored state {:?}", row.id, row.state)))?;
    let token = match (row.access_token_hash, row.token_expires_at) {
        (Some(digest), Some(expires_at)) => Some(TokenGrant {
            digest,
            expires_at: time(expires_at)?,
        }),
        _ => None,
    };
    Ok(Offer {
        format: format(&row.format)?,
        claims,
        position: StatusPosition {
            list: row.status_list,
            index: row.status_index,
        },
        expires_at: time(row.expires_at)?,
        failed_pin_attempts: u32::try_from(row.failed_tx_codes).unwrap_or(0),
        token,
        state,
        created_at: time(row.created_at)?,
        id: row.id,
        type_name: row.type_name,
        summary: row.summary,
        code_digest: row.code_hash,
        pin_digest: row.tx_code_hash,
        created_by: row.created_by,
        batch: row.batch,
        version: row.version,
    })
}

fn offer_row(offer: &Offer) -> offer::Model {
    offer::Model {
        id: offer.id.clone(),
        type_name: offer.type_name.clone(),
        format: offer.format.name().to_owned(),
        summary: offer.summary.clone(),
        claims: serde_json::Value::Object(offer.claims.clone()).to_string(),
        status_list: offer.position.list,
        status_index: offer.position.index,
        code_hash: offer.code_digest.clone(),
        tx_code_hash: offer.pin_digest.clone(),
        expires_at: offer.expires_at.timestamp(),
        failed_tx_codes: i32::try_from(offer.failed_pin_attempts).unwrap_or(i32::MAX),
        access_token_hash: offer.token.as_ref().map(|t| t.digest.clone()),
        token_expires_at: offer.token.as_ref().map(|t| t.expires_at.timestamp()),
        state: offer.state.as_str().to_owned(),
        version: offer.version,
        created_at: offer.created_at.timestamp(),
        created_by: offer.created_by.clone(),
        batch: offer.batch.clone(),
    }
}

#[cfg(test)]
mod tests {
    use sigil_core::lifecycle::CredentialStatus;

    use super::*;
    use crate::domain::CredentialRecord;
    use crate::domain::offer::MAX_TX_CODE_ATTEMPTS;
    use crate::domain::offer::examples::{PIN, at, draft};

    #[tokio::test]
    async fn offers_of_a_batch_get_distinct_positions_and_come_back_as_stored() {
        let store = Store::in_memory().await.unwrap();
        let drafts = (0..20)
            .map(|n| draft(&format!("offer-{n}"), &format!("code-{n}")))
            .collect();
        let (offers, lists) = store.insert_offers(drafts).await.unwrap();
        assert_eq!(lists, vec![1]);
        let mut positions: Vec<i64> = offers.iter().map(|o| o.position.index).collect();
        positions.sort_unstable();
        positions.dedup();
        assert_eq!(positions.len(), 20);
        let found = store.offer_by_code(&offers[3].code_digest).await.unwrap();
        assert_eq!(found.as_ref(), Some(&offers[3]));
        let vc_api = store.reserve_position("vc-api-1").await.unwrap();
        assert!(!positions.contains(&vc_api.index));
    }

    #[tokio::test]
    async fn a_large_batch_is_written_in_chunks_and_the_next_batch_takes_other_positions() {
        let store = Store::in_memory().await.unwrap();
        let drafts = |batch: &str, count: usize| -> Vec<OfferDraft> {
            (0..count)
                .map(|n| draft(&format!("{batch}-{n}"), &format!("{batch}-code-{n}")))
                .collect()
        };
        let reported = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&reported);
        let progress: Progress =
            Arc::new(move |stored| counter.store(stored, std::sync::atomic::Ordering::Relaxed));
        let (first, _) = store
            .insert_offers_reporting(drafts("a", 2 * ROWS_PER_INSERT + 7), progress)
            .await
            .unwrap();
        assert_eq!(reported.load(std::sync::atomic::Ordering::Relaxed), first.len());
        let (second, _) = store.insert_offers(drafts("b", 300)).await.unwrap();
        let mut positions: Vec<i64> = first.iter().chain(&second).map(|o| o.position.index).collect();
        positions.sort_unstable();
        positions.dedup();
        assert_eq!(
            positions.len(),
            first.len() + second.len(),
            "no position given twice"
        );
        let stored = store.offer(&second[299].id).await.unwrap();
        assert_eq!(stored.as_ref(), Some(&second[299]));
    }

    #[tokio::test]
    async fn free_indexes_are_found_in_a_list_where_almost_every_index_is_taken() {
        let store = Store::in_memory().await.unwrap();
        // List 7 holds every index but the first 72.
        store
            .db
            .execute_unprepared(&format!(
                "WITH RECURSIVE n(i) AS (SELECT 72 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) \
                 INSERT INTO status_positions (status_list, status_index, credential_id) \
                 SELECT 7, i, 'taken' FROM n",
                last = LIST_SIZE - 1
            ))
            .await
            .unwrap();
        let allocator = PositionAllocator { list: 7, used: 0 };
        let mut free = allocator.free_indexes(&store.db, 50).await.unwrap();
        free.sort_unstable();
        free.dedup();
        assert_eq!(free.len(), 50);
        assert!(free.iter().all(|index| (0..72).contains(index)), "{free:?}");
    }

    /// On a file (several connections), offers created at once all get stored: they queue for
    /// the one writer, so none fails "database is locked".
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn offers_created_at_once_on_a_file_are_all_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("issuer.db")).await.unwrap());
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..40 {
            let store = Arc::clone(&store);
            tasks.spawn(async move {
                store
                    .insert_offers(vec![draft(&format!("offer-{n}"), &format!("code-{n}"))])
                    .await
            });
        }
        while let Some(done) = tasks.join_next().await {
            let stored = done.unwrap();
            assert!(stored.is_ok(), "{stored:?}");
        }
    }

    #[tokio::test]
    async fn of_two_redemptions_read_at_once_only_the_first_is_stored() {
        let store = Store::in_memory().await.unwrap();
        let (offers, _) = store
            .insert_offers(vec![draft("offer-1", "code-1")])
            .await
            .unwrap();
        let read_by_first = store.offer("offer-1").await.unwrap().unwrap();
        let read_by_second = read_by_first.clone();
        assert_eq!(read_by_first, offers[0]);

        let (first, first_token) = read_by_first.redeem("code-1", PIN, at(10)).unwrap();
        let (second, _) = read_by_second.redeem("code-1", PIN, at(10)).unwrap();
        assert!(store.save_offer(&read_by_first, &first).await.unwrap());
        assert!(!store.save_offer(&read_by_second, &second).await.unwrap());
        let stored = store
            .offer_by_token(&first.token.clone().unwrap().digest)
            .await
            .unwrap();
        assert_eq!(stored, Some(first.clone()));

        // The same holds for the credential: one token, one issued credential.
        let spent = first.accept_token(&first_token.secret, at(20)).unwrap();
        let issued = IssuedCredential::from_offer(&spent, "did:key:z6Mk", "hash".into(), at(20));
        store
            .record_issuance(&first, &issued, issue_entry())
            .await
            .unwrap();
        let again = store.record_issuance(&first, &issued, issue_entry()).await;
        assert!(matches!(again, Err(IssuanceError::AlreadyIssued)), "{again:?}");
        assert_eq!(
            store.audit_count().await.unwrap(),
            1,
            "one issuance, one audit entry"
        );
        assert_eq!(store.offer("offer-1").await.unwrap(), None, "the offer is gone");
        let record = store.credential("offer-1").await.unwrap();
        assert_eq!(record, Some(CredentialRecord::Issued(issued)));
    }

    fn issue_entry() -> AuditEntry {
        AuditEntry {
            at: 20,
            actor: "wallet".into(),
            action: "issue".into(),
            target: "offer-1".into(),
            detail: "ldp_vc".into(),
        }
    }

    /// `count` redemptions of `code` with `pin`, started together.
    async fn all_at_once(
        store: &Store,
        code: &'static str,
        pin: &'static str,
        count: u32,
    ) -> Vec<Result<Redemption, DbErr>> {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..count {
            let store = store.clone();
            tasks.spawn(async move { store.redeem_offer(code, pin, at(10)).await });
        }
        let mut answers = Vec::new();
        while let Some(answer) = tasks.join_next().await {
            answers.push(answer.unwrap());
        }
        answers
    }

    #[tokio::test]
    async fn wrong_pins_sent_at_once_all_count_and_right_ones_at_once_get_one_token() {
        let store = Store::in_memory().await.unwrap();
        store
            .insert_offers(vec![draft("offer-1", "code-1"), draft("offer-2", "code-2")])
            .await
            .unwrap();
        let answers = all_at_once(&store, "code-1", "000000", MAX_TX_CODE_ATTEMPTS).await;
        let mut left: Vec<u32> = answers
            .into_iter()
            .filter_map(|answer| match answer.unwrap() {
                Redemption::Refused(RedeemError::WrongPin { attempts_left, .. }) => Some(attempts_left),
                _ => None,
            })
            .collect();
        left.sort_unstable();
        assert_eq!(left, vec![0, 1, 2, 3, 4], "each guess counted once");
        let locked = store.offer("offer-1").await.unwrap().unwrap();
        assert_eq!(locked.state, OfferState::Locked);
        let late = store.redeem_offer("code-1", PIN, at(11)).await.unwrap();
        assert_eq!(late, Redemption::Refused(RedeemError::Locked));

        let granted = all_at_once(&store, "code-2", PIN, 2)
            .await
            .into_iter()
            .filter(|answer| matches!(answer, Ok(Redemption::Granted(_))))
            .count();
        assert_eq!(granted, 1);
        assert_eq!(
            store.redeem_offer("code-3", PIN, at(10)).await.unwrap(),
            Redemption::UnknownCode
        );
    }

    #[tokio::test]
    async fn a_withdrawn_offer_s_position_is_listed_revoked_and_an_open_one_s_is_not() {
        let store = Store::in_memory().await.unwrap();
        let (offers, _) = store
            .insert_offers(vec![draft("offer-1", "code-1"), draft("offer-2", "code-2")])
            .await
            .unwrap();
        let withdrawn = &offers[0];
        assert!(
            store
                .save_offer(withdrawn, &withdrawn.withdraw().unwrap())
                .await
                .unwrap()
        );
        assert_eq!(
            store.list_positions(withdrawn.position.list).await.unwrap(),
            vec![(CredentialStatus::Revoked, withdrawn.position.index)],
            "the open offer-2 sets no bit"
        );
    }

    #[tokio::test]
    async fn a_status_change_is_stored_only_over_the_status_it_changed() {
        let store = Store::in_memory().await.unwrap();
        let (offers, _) = store
            .insert_offers(vec![draft("offer-1", "code-1")])
            .await
            .unwrap();
        let (redeemed, token) = offers[0].redeem("code-1", PIN, at(10)).unwrap();
        assert!(store.save_offer(&offers[0], &redeemed).await.unwrap());
        let spent = redeemed.accept_token(&token.secret, at(20)).unwrap();
        let active = IssuedCredential::from_offer(&spent, "did:key:z6Mk", "hash".into(), at(20));
        store
            .record_issuance(&redeemed, &active, issue_entry())
            .await
            .unwrap();

        let suspended = active.suspend().unwrap();
        let revoked = active.revoke().unwrap();
        assert!(store.save_status(&active, &suspended).await.unwrap());
        assert!(
            !store.save_status(&active, &revoked).await.unwrap(),
            "read before the suspension"
        );
        let stored = store.issued_credential("offer-1").await.unwrap().unwrap();
        assert_eq!(stored.status, CredentialStatus::Suspended);
        let position = active.position;
        let listed = store.list_positions(position.list).await.unwrap();
        assert_eq!(listed, vec![(CredentialStatus::Suspended, position.index)]);
        assert_eq!(store.counts().await.unwrap().suspended, 1);
    }
}
