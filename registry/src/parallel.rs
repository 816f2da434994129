//! Work split among the cores: the registry's per-block work (preparing transactions,
//! digesting records) is the same small job over hundreds of independent items.

use std::num::NonZeroUsize;
use std::thread;

/// `work` applied to `items` share by share, one share per core, the results in the items'
/// order. Fewer than `shared_from` items, or a single core, and it runs on the calling
/// thread: a thread costs more than a few items save.
pub fn in_shares<'a, T: Sync, U: Send>(
    items: &'a [T],
    shared_from: usize,
    work: impl Fn(&'a [T]) -> Vec<U> + Sync,
) -> Vec<U> {
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    if cores < 2 || items.len() < shared_from.max(2) {
        return work(items);
    }
    let share = items.len().div_ceil(cores);
    let work = &work;
    thread::scope(|scope| {
        let shares: Vec<_> = items
            .chunks(share)
            .map(|chunk| scope.spawn(move || work(chunk)))
            .collect();
        shares
            .into_iter()
            .flat_map(|share| {
                share
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled = in_shares(&items, 10, |share| share.iter().map(|n| n * 2).collect());
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert_eq!(in_shares(&items[..3], 10, |share| share.to_vec()), vec![0, 1, 2]);
        assert!(in_shares(&[] as &[u32], 0, |share| share.to_vec()).is_empty());
    }
}
