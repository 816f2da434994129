//! Several proofs on one document (VC Data Integrity 1.0 §2.1.1–2.1.2): a *proof set*, whose
//! proofs each cover the document alone and may be added in any order, and a *proof chain*,
//! whose proofs name earlier ones in `previousProof` and cover the document together with
//! exactly those proofs — so an endorsement can prove it was made over the issuer's proof.
//!
//! Reading a set checks its shape before any signature: at most [`MAX_PROOFS`] proofs (each
//! costs a DID resolution and a canonicalisation), ids unique, every `previousProof` naming a
//! proof of the document, and no proof reachable from itself through `previousProof` (a cycle
//! has no order to verify in).

use serde_json::{Map, Value};

use super::{Algorithm, Proof, ProofError, ProofOptions, make_proof, parse_proof};
use crate::key::SigningKey;

/// Most proofs Sigil reads on one document. Real credentials carry one, an endorsed one two or
/// three; the bound keeps a megabyte of copied proofs from costing a thousand verifications.
pub const MAX_PROOFS: usize = 8;

/// Where a new proof stands among the document's proofs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProofLink {
    /// The new proof's `id` (a URL, such as `urn:uuid:…`), so that a later proof can name
    /// it; a proof without one can be part of a set but never the start of a chain.
    pub id: Option<String>,
    /// The ids of the existing proofs the new proof covers, in order (`previousProof`).
    /// Empty: the new proof joins a set and covers the document alone.
    pub previous: Vec<String>,
}

/// Splits a secured document into the unsecured document and all its proofs, in the order
/// written, after checking the shape of the set (module documentation).
pub fn split_all(document: &Value) -> Result<(Map<String, Value>, Vec<Proof>), ProofError> {
    let mut unsecured = document.as_object().ok_or(ProofError::NotAnObject)?.clone();
    let written = match unsecured.remove("proof") {
        None => return Err(ProofError::MissingProof),
        Some(Value::Array(proofs)) => proofs,
        Some(proof) => vec![proof],
    };
    if written.is_empty() {
        return Err(ProofError::Malformed("`proof` is an empty list".into()));
    }
    if written.len() > MAX_PROOFS {
        return Err(ProofError::Malformed(format!(
            "{} proofs on one document; Sigil reads at most {MAX_PROOFS}",
            written.len()
        )));
    }
    let proofs = written
        .into_iter()
        .map(|proof| match proof {
            Value::Object(proof) => parse_proof(proof),
            _ => Err(ProofError::Malformed("every `proof` must be an object".into())),
        })
        .collect::<Result<Vec<_>, _>>()?;
    check_links(&proofs)?;
    Ok((unsecured, proofs))
}

/// Ids unique, every `previousProof` known, no cycle.
fn check_links(proofs: &[Proof]) -> Result<(), ProofError> {
    for (index, proof) in proofs.iter().enumerate() {
        if let Some(id) = &proof.id {
            if proofs
                .iter()
                .skip(index + 1)
                .any(|other| other.id.as_ref() == Some(id))
            {
                return Err(ProofError::Malformed(format!("two proofs have the id {id:?}")));
            }
        }
        for previous in &proof.previous {
            if position(proofs, previous).is_none() {
                return Err(ProofError::Malformed(format!(
                    "`previousProof` names {previous:?}, which is not a proof of this document"
                )));
            }
        }
    }
    // Walk back from each proof; a walk longer than the set has gone round a cycle.
    for (start, proof) in proofs.iter().enumerate() {
        let mut frontier: Vec<usize> = vec![start];
        for _ in 0..proofs.len() {
            frontier = frontier
                .iter()
                .filter_map(|&index| proofs.get(index))
                .flat_map(|proof| proof.previous.iter().filter_map(|id| position(proofs, id)))
                .collect();
            frontier.sort_unstable();
            frontier.dedup();
            if frontier.contains(&start) {
                return Err(ProofError::Malformed(format!(
                    "`previousProof` makes a cycle through {}",
                    proof.id.as_deref().unwrap_or("a proof")
                )));
            }
        }
    }
    Ok(())
}

/// Sorts a set's proofs by `created` (a proof without one first), then verification method,
/// then signature: a proof set has no order in JSON-LD (`proof` is a graph container), so
/// two spellings of one document must be read in one order — and "proof 1" is then the
/// earliest, the issuance, with endorsements after it.
pub fn sort_by_creation(proofs: &mut [Proof]) {
    proofs.sort_by(|a, b| {
        (a.created, &a.verification_method, &a.signature).cmp(&(
            b.created,
            &b.verification_method,
            &b.signature,
        ))
    });
}

/// The indices of `proofs` in an order where every proof comes after the proofs its
/// `previousProof` names, otherwise in the order written. The set must have passed
/// [`split_all`]'s checks; a proof left in a cycle regardless is never listed.
pub fn verification_order(proofs: &[Proof]) -> Vec<usize> {
    let mut order: Vec<usize> = Vec::with_capacity(proofs.len());
    while order.len() < proofs.len() {
        let ready = proofs.iter().enumerate().find(|(index, proof)| {
            !order.contains(index)
                && proof
                    .previous
                    .iter()
                    .all(|id| position(proofs, id).is_some_and(|before| order.contains(&before)))
        });
        match ready {
            Some((index, _)) => order.push(index),
            None => break,
        }
    }
    order
}

fn position(proofs: &[Proof], id: &str) -> Option<usize> {
    proofs.iter().position(|proof| proof.id.as_deref() == Some(id))
}

/// What `proof` covers: the unsecured document, plus — for a proof of a chain — the proofs
/// its `previousProof` names, and only those, as written and in the order named (VC DI
/// §4.5 "verify proof sets and chains", step "set inputDocument.proof to matchingProofs").
pub fn covered_document(
    unsecured: &Map<String, Value>,
    proofs: &[Proof],
    proof: &Proof,
) -> Result<Map<String, Value>, ProofError> {
    covering(unsecured, proofs, &proof.previous)
}

fn covering(
    unsecured: &Map<String, Value>,
    proofs: &[Proof],
    previous: &[String],
) -> Result<Map<String, Value>, ProofError> {
    let mut document = unsecured.clone();
    if previous.is_empty() {
        return Ok(document);
    }
    let matching = previous
        .iter()
        .map(|id| {
            position(proofs, id)
                .and_then(|index| proofs.get(index))
                .map(|proof| Value::Object(proof.written.clone()))
                .ok_or_else(|| {
                    ProofError::Malformed(format!(
                        "`previousProof` names {id:?}, which is not a proof of this document"
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    document.insert("proof".into(), Value::Array(matching));
    Ok(document)
}

/// Adds a proof by `key` to a document that may already be signed (VC DI §4.3, "add proof
/// set/chain"): with `link.previous` empty the new proof joins the set and covers the
/// document alone; otherwise it covers the document and the named proofs (a chain). The
/// document's own properties are never changed — they are signed already — so the proof's
/// terms must already be defined by its `@context` when it has proofs; on an unsigned
/// document this is [`super::sign`] with an `id` and `previousProof` allowed.
pub async fn add_proof(
    document: &Value,
    key: &SigningKey,
    options: &ProofOptions,
    link: &ProofLink,
) -> Result<Value, ProofError> {
    let object = document.as_object().ok_or(ProofError::NotAnObject)?;
    let (unsecured, proofs) = if object.contains_key("proof") {
        split_all(document)?
    } else {
        (super::with_suite_context(object, options.cryptosuite), vec![])
    };
    if proofs.len() >= MAX_PROOFS {
        return Err(ProofError::Malformed(format!(
            "the document already has {MAX_PROOFS} proofs, the most Sigil reads"
        )));
    }
    if let Some(id) = &link.id {
        if position(&proofs, id).is_some() {
            return Err(ProofError::Malformed(format!(
                "a proof with the id {id:?} exists already"
            )));
        }
    }
    let covered = covering(&unsecured, &proofs, &link.previous)?;
    let proof = make_proof(&covered, options, link, Algorithm::EdDsa, |hash| {
        key.sign(hash).to_vec()
    })
    .await?;
    let mut all: Vec<Value> = proofs
        .into_iter()
        .map(|proof| Value::Object(proof.written))
        .collect();
    all.push(Value::Object(proof));
    let mut secured = unsecured;
    secured.insert(
        "proof".into(),
        match <[Value; 1]>::try_from(all) {
            Ok([only]) => only,
            Err(all) => Value::Array(all),
        },
    );
    Ok(Value::Object(secured))
}
