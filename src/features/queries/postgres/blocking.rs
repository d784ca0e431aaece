//! Lock waits as trees: each root blocks others and waits for nobody, and
//! below it hang the backends that wait for it, directly or through
//! others. Pure, so it is tested without a server.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// One backend in a blocking tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockTree {
    pub pid: i32,
    /// Every pid this one waits for. Empty for a real root; a root that
    /// waits itself was picked out of a wait cycle (which the deadlock
    /// detector is about to break).
    pub blocked_by: Vec<i32>,
    /// The backends shown waiting on this one, by pid. A backend waiting
    /// on several is shown once, under the first one reached;
    /// `blocked_by` lists the rest.
    pub blocks: Vec<BlockTree>,
}

impl BlockTree {
    /// How many backends wait below this one, directly or not.
    pub fn waiting(&self) -> usize {
        self.pids().len() - 1
    }

    /// The pids of this tree, depth first, root first.
    pub fn pids(&self) -> Vec<i32> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            out.push(node.pid);
            stack.extend(node.blocks.iter().rev());
        }
        out
    }
}

/// Trees from `(pid, the pids it waits for)` pairs (pg_blocking_pids).
/// Root blockers come first, the one with most waiters at the top; roots
/// picked out of wait cycles come last. Every pid appears at most once,
/// so cycles end.
pub fn blocking_trees(backends: &[(i32, Vec<i32>)]) -> Vec<BlockTree> {
    let mut blockers: BTreeMap<i32, BTreeSet<i32>> = BTreeMap::new();
    let mut waiters: BTreeMap<i32, BTreeSet<i32>> = BTreeMap::new();
    for (pid, blocked_by) in backends {
        for &blocker in blocked_by.iter().filter(|&&b| b != *pid) {
            blockers.entry(*pid).or_default().insert(blocker);
            waiters.entry(blocker).or_default().insert(*pid);
        }
    }
    let mut placed: HashSet<i32> = HashSet::new();
    let mut roots: Vec<BlockTree> = waiters
        .keys()
        .filter(|pid| !blockers.contains_key(pid))
        .map(|&pid| grow(pid, &waiters, &blockers, &mut placed))
        .collect();
    roots.sort_by(|a, b| b.waiting().cmp(&a.waiting()).then(a.pid.cmp(&b.pid)));
    // What is left waits in a cycle, or on one: start from its lowest pid.
    while let Some(&pid) = waiters.keys().find(|pid| !placed.contains(pid)) {
        roots.push(grow(pid, &waiters, &blockers, &mut placed));
    }
    roots
}

/// The tree below `root` over backends not yet placed, built breadth
/// first and without recursion (a chain can be as long as
/// max_connections).
fn grow(
    root: i32,
    waiters: &BTreeMap<i32, BTreeSet<i32>>,
    blockers: &BTreeMap<i32, BTreeSet<i32>>,
    placed: &mut HashSet<i32>,
) -> BlockTree {
    placed.insert(root);
    let mut order = vec![root];
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    let mut next = 0;
    while let Some(&pid) = order.get(next) {
        next += 1;
        for &waiter in waiters.get(&pid).into_iter().flatten() {
            if placed.insert(waiter) {
                children.entry(pid).or_default().push(waiter);
                order.push(waiter);
            }
        }
    }
    // Children come later in `order` than their parent, so building from
    // the end finds every child's tree finished.
    let mut built: HashMap<i32, BlockTree> = HashMap::new();
    for &pid in order.iter().rev() {
        let blocks = children
            .remove(&pid)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|child| built.remove(&child))
            .collect();
        let blocked_by = blockers
            .get(&pid)
            .map(|set| set.iter().copied().collect())
            .unwrap_or_default();
        built.insert(
            pid,
            BlockTree {
                pid,
                blocked_by,
                blocks,
            },
        );
    }
    built.remove(&root).unwrap_or(BlockTree {
        pid: root,
        blocked_by: Vec::new(),
        blocks: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(pid: i32, blocked_by: &[i32]) -> BlockTree {
        BlockTree {
            pid,
            blocked_by: blocked_by.to_vec(),
            blocks: Vec::new(),
        }
    }

    #[test]
    fn a_simple_chain_has_the_holder_as_root() {
        let trees = blocking_trees(&[(10, vec![]), (20, vec![10]), (30, vec![20])]);
        assert_eq!(
            trees,
            [BlockTree {
                pid: 10,
                blocked_by: vec![],
                blocks: vec![BlockTree {
                    pid: 20,
                    blocked_by: vec![10],
                    blocks: vec![leaf(30, &[20])],
                }],
            }]
        );
        assert_eq!(trees[0].waiting(), 2);
        assert_eq!(trees[0].pids(), [10, 20, 30]);
    }

    #[test]
    fn backends_that_neither_wait_nor_block_are_left_out() {
        assert!(blocking_trees(&[(1, vec![]), (2, vec![])]).is_empty());
        assert!(blocking_trees(&[]).is_empty());
    }

    #[test]
    fn a_root_missing_from_the_input_is_still_a_root() {
        // The holder may be a session the activity view leaves out.
        let trees = blocking_trees(&[(20, vec![7]), (21, vec![7])]);
        assert_eq!(trees.len(), 1);
        assert_eq!(trees[0].pid, 7);
        assert_eq!(trees[0].pids(), [7, 20, 21]);
    }

    #[test]
    fn the_root_with_most_waiters_comes_first() {
        let trees = blocking_trees(&[(2, vec![1]), (5, vec![4]), (6, vec![4]), (7, vec![6])]);
        assert_eq!(trees.iter().map(|t| t.pid).collect::<Vec<_>>(), [4, 1]);
        assert_eq!(trees[0].waiting(), 3);
    }

    #[test]
    fn a_backend_waiting_on_two_roots_is_shown_once() {
        let trees = blocking_trees(&[(3, vec![1, 2])]);
        assert_eq!(trees.len(), 2);
        assert_eq!(trees[0].pids(), [1, 3]);
        assert_eq!(trees[0].blocks[0].blocked_by, [1, 2]);
        assert_eq!(trees[1], leaf(2, &[]));
    }

    #[test]
    fn cycles_end_and_are_rooted_at_their_lowest_pid() {
        let trees = blocking_trees(&[(5, vec![6]), (6, vec![5]), (9, vec![9])]);
        assert_eq!(
            trees,
            [BlockTree {
                pid: 5,
                blocked_by: vec![6],
                blocks: vec![leaf(6, &[5])],
            }]
        );
        // A three-way cycle with a tail, and a real root elsewhere.
        let trees = blocking_trees(&[
            (1, vec![3]),
            (2, vec![1]),
            (3, vec![2]),
            (4, vec![3]),
            (8, vec![]),
            (9, vec![8]),
        ]);
        assert_eq!(trees[0].pids(), [8, 9]);
        assert_eq!(trees[1].pid, 1);
        assert_eq!(trees[1].blocked_by, [3]);
        assert_eq!(trees[1].pids(), [1, 2, 3, 4]);
    }

    #[test]
    fn a_chain_as_long_as_max_connections_allows() {
        let chain: Vec<(i32, Vec<i32>)> = (1..=5_000).map(|p| (p, vec![p - 1])).collect();
        let trees = blocking_trees(&chain);
        assert_eq!(trees.len(), 1);
        assert_eq!(trees[0].pid, 0);
        assert_eq!(trees[0].waiting(), 5_000);
    }
}
