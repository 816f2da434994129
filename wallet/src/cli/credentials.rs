//! `sigil-wallet receive`, `list`, `show`, `delete` and `history`: what the wallet holds and
//! what happened to it, as text for people or `--json` for scripts.

use serde_json::{Value, json};

use super::{print_json, time};
use crate::holder::Holder;
use crate::store::{HistoryEntry, HistoryEvent, Store};
use crate::targets::Targets;

/// Receives the credential an offer (`openid-credential-offer://…`) stands for.
pub async fn receive(
    targets: &Targets,
    holder: &Holder,
    store: &Store,
    offer: &str,
    tx_code: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let details = crate::receive::open_offer(targets, offer).await?;
    let received = crate::receive::receive(targets, holder, store, &details, tx_code).await?;
    if json {
        print_json(&json!({
            "id": received.id,
            "type": received.type_name,
            "issuer": received.issuer,
            "issuer_name": received.issuer_name,
            "accreditation": received.accreditation,
            "claims": received.claims,
        }));
    } else {
        println!("{}", received.id);
        eprintln!(
            "received a {} from {} ({})",
            received.type_name, received.issuer_name, received.issuer
        );
        eprintln!(
            "{}",
            received
                .accreditation
                .as_deref()
                .unwrap_or("the issuer is not accredited for this type by a root of trust")
        );
    }
    Ok(())
}

/// The credentials in the wallet, one line (or JSON object) each.
pub async fn list(store: &Store, json: bool) -> anyhow::Result<()> {
    let rows = store.list().await?;
    if json {
        print_json(&Value::Array(
            rows.iter()
                .map(|row| {
                    json!({
                        "id": row.id, "type": row.type_name, "format": row.format,
                        "issuer": row.issuer, "issuer_name": row.issuer_name,
                        "received": time(row.received_at), "valid_until": row.valid_until.map(time),
                    })
                })
                .collect(),
        ));
    } else {
        for row in rows {
            println!(
                "{}  {}  {}  {}  {}",
                row.id,
                row.type_name,
                row.format,
                row.issuer_name,
                time(row.received_at)
            );
        }
    }
    Ok(())
}

/// One credential: its claims, issuer, and the checks made when it came in.
pub async fn show(holder: &Holder, store: &Store, id: &str, json: bool) -> anyhow::Result<()> {
    let held = store
        .get(&holder.vault, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no credential {id} in this wallet"))?;
    if json {
        print_json(&json!({
            "id": held.row.id, "type": held.row.type_name, "format": held.row.format,
            "issuer": held.row.issuer, "issuer_name": held.row.issuer_name,
            "received": time(held.row.received_at), "accreditation": held.record.accreditation,
            "claims": held.record.claims, "checks": held.record.checks,
            "credential": held.record.credential,
        }));
    } else {
        println!(
            "{} from {} ({})",
            held.row.type_name, held.row.issuer_name, held.row.issuer
        );
        println!("{}", serde_json::to_string_pretty(&held.record.claims)?);
        for check in &held.record.checks {
            println!("  {:<14} {:<14} {}", check.outcome, check.id, check.sentence);
        }
    }
    Ok(())
}

/// Deletes a credential and records that in the history.
pub async fn delete(holder: &Holder, store: &Store, id: &str) -> anyhow::Result<()> {
    if !store.delete(id).await? {
        anyhow::bail!("no credential {id} in this wallet");
    }
    let entry = HistoryEntry {
        at: sigil_core::time::now().timestamp(),
        event: HistoryEvent::Deleted,
        party: "you".into(),
        credential_id: Some(id.to_owned()),
        claims: vec![],
    };
    store.add_history(&holder.vault, &entry).await?;
    eprintln!("deleted {id}");
    Ok(())
}

/// What was received, and what was disclosed to whom and when.
pub async fn history(holder: &Holder, store: &Store, json: bool) -> anyhow::Result<()> {
    let entries = store.history(&holder.vault).await?;
    if json {
        print_json(&serde_json::to_value(&entries)?);
    } else {
        for entry in entries {
            println!(
                "{}  {:<9}  {}  {}  {}",
                time(entry.at),
                entry.event,
                entry.party,
                entry.credential_id.unwrap_or_default(),
                entry.claims.join(", ")
            );
        }
    }
    Ok(())
}
