//! Merkle trees over symbols as Walrus builds them: leaves `H(0x00 || data)`, inner nodes
//! `H(0x01 || left || right)`, odd levels padded with an all-zero node.

use serde::{Deserialize, Serialize};

use crate::hash::{Digest, Hasher, inner_hash, leaf_hash};

/// A node of a Merkle tree as it appears in metadata and proofs.
///
/// BCS: enum `{0: Empty, 1: Digest([u8; 32])}`; `Empty` is hashed as 32 zero bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Node {
    /// The padding node of an odd level (and the root of an empty tree).
    Empty,
    /// A BLAKE2b-256 digest.
    Digest(Digest),
}

impl Node {
    /// The 32 bytes this node contributes to hashing.
    pub fn bytes(&self) -> Digest {
        match self {
            Node::Empty => [0; 32],
            Node::Digest(digest) => *digest,
        }
    }
}

impl From<Digest> for Node {
    fn from(digest: Digest) -> Self {
        Node::Digest(digest)
    }
}

/// The sibling path from a leaf up to (not including) the root.
///
/// BCS: `Vec<Node>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerkleProof {
    /// Siblings, leaf level first.
    pub path: Vec<Node>,
}

impl MerkleProof {
    /// Whether this proof shows that `data` is leaf `index` of a tree of `leaf_count` leaves with
    /// root `root`.
    ///
    /// Rejects paths longer than the tree is deep and indices that do not fit the path, as Walrus does.
    pub fn verify(&self, root: &Node, data: &[u8], index: usize, leaf_count: usize) -> bool {
        self.verify_leaf_hash(root, &leaf_hash(data), index, leaf_count)
    }

    /// As [`MerkleProof::verify`], for a leaf given by its leaf hash.
    pub(crate) fn verify_leaf_hash(
        &self,
        root: &Node,
        leaf: &Digest,
        mut index: usize,
        leaf_count: usize,
    ) -> bool {
        let max_depth = if leaf_count <= 1 {
            0
        } else {
            (leaf_count - 1).ilog2() as usize + 1
        };
        if self.path.len() > max_depth || index >= leaf_count.max(1) {
            return false;
        }
        if self.path.len() < usize::BITS as usize && index >> self.path.len() != 0 {
            return false;
        }
        let mut current = *leaf;
        for sibling in &self.path {
            current = if index % 2 == 0 {
                inner_hash(&current, &sibling.bytes())
            } else {
                inner_hash(&sibling.bytes(), &current)
            };
            index /= 2;
        }
        current == root.bytes()
    }
}

/// A Merkle tree with every level kept, for producing proofs.
#[derive(Clone, Debug)]
pub struct MerkleTree {
    /// `levels[0]` are the leaf hashes, the last level holds the root.
    levels: Vec<Vec<Digest>>,
}

impl MerkleTree {
    /// Builds the tree over the leaf hashes of `leaves`.
    pub fn build<'a>(leaves: impl IntoIterator<Item = &'a [u8]>) -> Self {
        Self::from_leaf_hashes(leaves.into_iter().map(leaf_hash).collect())
    }

    /// Builds the tree over already leaf-hashed values.
    pub(crate) fn from_leaf_hashes(leaf_hashes: Vec<Digest>) -> Self {
        let mut hasher = Hasher::default();
        let mut levels = vec![leaf_hashes];
        while let Some(level) = levels.last().filter(|level| level.len() > 1) {
            let mut next = vec![[0; 32]; level.len().div_ceil(2)];
            hasher.inner_level(level, &mut next);
            levels.push(next);
        }
        Self { levels }
    }

    /// The root; [`Node::Empty`] for a tree without leaves.
    pub fn root(&self) -> Node {
        match self.levels.last().and_then(|level| level.first()) {
            Some(digest) => Node::Digest(*digest),
            None => Node::Empty,
        }
    }

    /// The number of leaves.
    pub fn leaf_count(&self) -> usize {
        self.levels[0].len()
    }

    /// The proof for leaf `index`, or `None` if there is no such leaf.
    pub fn proof(&self, mut index: usize) -> Option<MerkleProof> {
        if index >= self.leaf_count() {
            return None;
        }
        let mut path = Vec::with_capacity(self.levels.len().saturating_sub(1));
        for level in &self.levels[..self.levels.len() - 1] {
            let sibling = index ^ 1;
            path.push(match level.get(sibling) {
                Some(digest) => Node::Digest(*digest),
                None => Node::Empty,
            });
            index /= 2;
        }
        Some(MerkleProof { path })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_tree_has_empty_root() {
        assert_eq!(MerkleTree::build(std::iter::empty()).root(), Node::Empty);
    }

    #[test]
    fn single_leaf_root_is_the_leaf_hash() {
        let tree = MerkleTree::build([&b"x"[..]]);
        assert_eq!(tree.root(), Node::Digest(leaf_hash(b"x")));
        assert!(tree.proof(0).expect("leaf 0").path.is_empty());
    }

    #[test]
    fn odd_levels_are_padded_with_zero_nodes() {
        let leaves: Vec<&[u8]> = vec![b"a", b"b", b"c"];
        let (a, b, c) = (leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c"));
        let expected = inner_hash(&inner_hash(&a, &b), &inner_hash(&c, &[0; 32]));
        assert_eq!(MerkleTree::build(leaves).root(), Node::Digest(expected));
    }

    #[test]
    fn every_proof_verifies_and_wrong_ones_do_not() {
        for count in [1usize, 2, 3, 7, 8, 9, 100] {
            let data: Vec<Vec<u8>> = (0..count).map(|i| vec![i as u8; 3]).collect();
            let tree = MerkleTree::build(data.iter().map(Vec::as_slice));
            for (i, leaf) in data.iter().enumerate() {
                let proof = tree.proof(i).expect("leaf exists");
                assert!(proof.verify(&tree.root(), leaf, i, count));
                assert!(!proof.verify(&tree.root(), b"other", i, count));
                if count > 1 {
                    assert!(!proof.verify(&tree.root(), leaf, (i + 1) % count, count));
                }
            }
            assert!(tree.proof(count).is_none());
        }
    }

    #[test]
    fn overlong_proofs_and_indices_are_rejected() {
        let data: Vec<Vec<u8>> = (0..4).map(|i| vec![i as u8]).collect();
        let tree = MerkleTree::build(data.iter().map(Vec::as_slice));
        let mut proof = tree.proof(1).expect("leaf 1");
        assert!(!proof.verify(&tree.root(), &data[1], 5, 4));
        proof.path.push(Node::Empty);
        assert!(!proof.verify(&tree.root(), &data[1], 1, 4));
    }

    #[test]
    fn node_bcs_layout() {
        assert_eq!(bcs::to_bytes(&Node::Empty).expect("bcs"), vec![0]);
        let bytes = bcs::to_bytes(&Node::Digest([7; 32])).expect("bcs");
        assert_eq!(bytes.len(), 33);
        assert_eq!(bytes[0], 1);
    }
}
