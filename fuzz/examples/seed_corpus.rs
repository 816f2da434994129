//! Writes the valid seeds of every fuzz target to `fuzz/corpus/<target>/` (see
//! `sigil_fuzz::seeds`): `cargo run -p sigil-fuzz --example seed_corpus`. Files already there
//! are overwritten; regression inputs are left alone.

fn main() -> Result<(), String> {
    let root = sigil_fuzz::corpus::root();
    for seed in sigil_fuzz::seeds::all()? {
        let dir = root.join(seed.target);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join(seed.file);
        std::fs::write(&path, &seed.bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}
