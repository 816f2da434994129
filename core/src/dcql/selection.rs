//! Which combinations of credential queries answer a query (OpenID4VP 1.0 §6.4.2): without
//! `credential_sets` every credential query is asked for; with them, every required set must
//! be answered by one of its options (each option a list of credential query ids, all of which
//! must be answered), and optional sets may be. The wallet uses [`Query::select`] to choose
//! what to send, the verifier [`Query::satisfied_by`] to check what it got — one rule, read
//! from both sides.

use super::{CredentialQuery, Query, QueryId};

/// Why a set of answered credential queries does not answer a query (§6.4.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsatisfied {
    /// The query has no credential sets, so every credential query is required; these are
    /// not answered.
    #[error("every credential asked for is required, and {} is not answered", .0.join(", "))]
    MissingCredentials(Vec<String>),
    /// A required credential set (its position in `credential_sets`, from 0) has no option all
    /// of whose credential queries are answered.
    #[error("required credential set {set} is not answered: it needs {}", describe_options(.options))]
    RequiredSet { set: usize, options: Vec<Vec<String>> },
}

/// Options in words: `a and b, or c`.
fn describe_options(options: &[Vec<String>]) -> String {
    options
        .iter()
        .map(|option| option.join(" and "))
        .collect::<Vec<_>>()
        .join(", or ")
}

fn names(ids: &[QueryId]) -> Vec<String> {
    ids.iter().map(QueryId::to_string).collect()
}

impl Query {
    /// Whether presentations for the credential queries `answered` (their ids) answer this
    /// query: every credential query when there are no credential sets, else every required
    /// set by one of its options. Extra answers to optional sets are allowed.
    pub fn satisfied_by(&self, answered: &[&str]) -> Result<(), Unsatisfied> {
        let is_answered = |id: &QueryId| answered.contains(&id.as_str());
        let Some(sets) = self.credential_sets() else {
            let missing: Vec<String> = self
                .credentials()
                .iter()
                .filter(|query| !is_answered(&query.id))
                .map(|query| query.id.to_string())
                .collect();
            return if missing.is_empty() {
                Ok(())
            } else {
                Err(Unsatisfied::MissingCredentials(missing))
            };
        };
        for (position, set) in sets.iter().enumerate() {
            let answered_option = set.options.iter().any(|option| option.iter().all(is_answered));
            if set.required && !answered_option {
                return Err(Unsatisfied::RequiredSet {
                    set: position,
                    options: set.options.iter().map(|option| names(option)).collect(),
                });
            }
        }
        Ok(())
    }

    /// The credential queries to answer, in the query's order, when `can_answer` says which
    /// the holder can: all of them without credential sets; else, per set, its first option
    /// (the verifier's preference) whose every query the holder can answer — required sets
    /// must have one, optional sets are answered when they can be.
    pub fn select(
        &self,
        can_answer: impl Fn(&CredentialQuery) -> bool,
    ) -> Result<Vec<&CredentialQuery>, Unsatisfied> {
        let answerable = |id: &QueryId| self.credential(id.as_str()).is_some_and(&can_answer);
        let Some(sets) = self.credential_sets() else {
            let missing: Vec<String> = self
                .credentials()
                .iter()
                .filter(|query| !can_answer(query))
                .map(|query| query.id.to_string())
                .collect();
            return if missing.is_empty() {
                Ok(self.credentials().iter().collect())
            } else {
                Err(Unsatisfied::MissingCredentials(missing))
            };
        };
        let mut chosen: Vec<&QueryId> = Vec::new();
        for (position, set) in sets.iter().enumerate() {
            match set.options.iter().find(|option| option.iter().all(answerable)) {
                Some(option) => chosen.extend(option.iter()),
                None if set.required => {
                    return Err(Unsatisfied::RequiredSet {
                        set: position,
                        options: set.options.iter().map(|option| names(option)).collect(),
                    });
                }
                None => {}
            }
        }
        Ok(self
            .credentials()
            .iter()
            .filter(|query| chosen.contains(&&query.id))
            .collect())
    }
}
