//! Red Stuff (RS2) erasure coding, bit-compatible with Walrus.
