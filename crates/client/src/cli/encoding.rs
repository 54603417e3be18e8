//! `haulout blob-id`, `haulout encode` and `haulout decode`: Red Stuff on local files.

use std::{
    fs,
    io::{self, Read, Write},
    path::{Path, PathBuf},
    process::ExitCode,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use anyhow::{Context, bail};
use rayon::prelude::*;
use redstuff::{
    Axis, BlobMetadataWithId, ConsistencyCheck, EncodingAxis, EncodingConfig, Primary, Secondary,
    SliverData,
};
use serde::Serialize;

use super::{
    args::{BlobIdArgs, DecodeArgs, EncodeArgs},
    output::{CliOutput, emit, progress, spinner, warn},
};

/// Inputs at least this large get progress output on a terminal.
const SHOW_PROGRESS_BYTES: u64 = 16 << 20;

/// The metadata file written by `encode`.
const METADATA_FILE: &str = "metadata.bcs";

fn read_input(path: &Path) -> anyhow::Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut data = Vec::new();
        io::stdin()
            .lock()
            .read_to_end(&mut data)
            .context("cannot read standard input")?;
        return Ok(data);
    }
    fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn config(n_shards: u16) -> anyhow::Result<EncodingConfig> {
    EncodingConfig::new(n_shards).with_context(|| format!("invalid --n-shards {n_shards}"))
}

/// What `blob-id` prints.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BlobIdOutput {
    blob_id: String,
    root_hash: String,
    unencoded_length: u64,
    encoding_type: String,
    n_shards: u16,
    symbol_size: u16,
}

impl CliOutput for BlobIdOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", self.blob_id)
    }
}

pub(crate) fn blob_id(args: BlobIdArgs, json: bool) -> anyhow::Result<ExitCode> {
    let config = config(args.n_shards)?;
    let data = read_input(&args.file)?;
    let length = data.len() as u64;
    let symbol_size = config.symbol_size(length)?;
    let bar = spinner(
        format!(
            "computing the blob id of {length} bytes for {} shards",
            args.n_shards
        ),
        length >= SHOW_PROGRESS_BYTES,
    );
    let metadata = config.compute_metadata(&data)?;
    bar.finish_and_clear();
    emit(
        &BlobIdOutput {
            blob_id: metadata.blob_id().to_string(),
            root_hash: hex::encode(metadata.metadata().root_hash().bytes()),
            unencoded_length: length,
            encoding_type: metadata.metadata().encoding_type().to_string(),
            n_shards: args.n_shards,
            symbol_size,
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn sliver_file(dir: &Path, axis: &str, pair: u16) -> PathBuf {
    dir.join(format!("{axis}-{pair}.bcs"))
}

/// Parses `primary-<i>.bcs` / `secondary-<i>.bcs` into (axis, pair index).
fn parse_sliver_file(name: &str) -> Option<(&str, u16)> {
    let stem = name.strip_suffix(".bcs")?;
    let (axis, index) = stem.split_once('-')?;
    matches!(axis, "primary" | "secondary").then_some(())?;
    Some((axis, index.parse().ok()?))
}

/// Removes what an earlier `encode` left in `dir`, so no stale sliver can be mistaken for ours.
fn clear_previous_encoding(dir: &Path) -> anyhow::Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == METADATA_FILE || parse_sliver_file(&name).is_some() {
            fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// What `encode` prints.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EncodeOutput {
    blob_id: String,
    n_shards: u16,
    symbol_size: u16,
    unencoded_length: u64,
    out_dir: String,
    files: u64,
    bytes_written: u64,
}

impl CliOutput for EncodeOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", self.blob_id)?;
        writeln!(
            out,
            "wrote {} files ({} bytes) for {} shards to {}",
            self.files, self.bytes_written, self.n_shards, self.out_dir
        )
    }
}

pub(crate) fn encode(args: EncodeArgs, json: bool) -> anyhow::Result<ExitCode> {
    let config = config(args.n_shards)?;
    let data = read_input(&args.file)?;
    let length = data.len() as u64;
    let large = length >= SHOW_PROGRESS_BYTES;
    let symbol_size = config.symbol_size(length)?;

    let dir = &args.out;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    clear_previous_encoding(dir)?;
    let n = config.n_shards();
    // Slivers are written as the encoder completes them, so they are never all in memory.
    let bar = progress(2 * u64::from(n), "encoding", large);
    let written = AtomicU64::new(0);
    let first_error = Mutex::new(None);
    let metadata = config.encode_streaming(&data, |sliver| {
        let (axis, pair) = match sliver.axis {
            Axis::Primary => ("primary", sliver.index),
            Axis::Secondary => ("secondary", n - 1 - sliver.index),
        };
        let path = sliver_file(dir, axis, pair);
        let content = sliver.to_bcs();
        match fs::write(&path, &content) {
            Ok(()) => {
                written.fetch_add(content.len() as u64, Ordering::Relaxed);
            }
            Err(error) => {
                let error =
                    anyhow::Error::new(error).context(format!("cannot write {}", path.display()));
                first_error
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(error);
            }
        }
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    if let Some(error) = first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(error);
    }
    // The metadata goes last: a directory with metadata is a complete encoding.
    let metadata_bcs = metadata.to_bcs();
    let metadata_path = dir.join(METADATA_FILE);
    fs::write(&metadata_path, &metadata_bcs)
        .with_context(|| format!("cannot write {}", metadata_path.display()))?;

    emit(
        &EncodeOutput {
            blob_id: metadata.blob_id().to_string(),
            n_shards: n,
            symbol_size,
            unencoded_length: length,
            out_dir: dir.display().to_string(),
            files: 2 * u64::from(n) + 1,
            bytes_written: written.into_inner() + metadata_bcs.len() as u64,
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// A sliver file that was not used, and why.
#[derive(Serialize)]
struct Skipped {
    file: String,
    reason: String,
}

/// What `decode` prints.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DecodeOutput {
    blob_id: String,
    out: String,
    bytes: u64,
    axis: &'static str,
    slivers_used: usize,
    skipped: Vec<Skipped>,
}

impl CliOutput for DecodeOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "rebuilt {} ({} bytes) from {} {} slivers{}",
            self.blob_id,
            self.bytes,
            self.slivers_used,
            self.axis,
            if self.skipped.is_empty() {
                String::new()
            } else {
                format!("; skipped {} invalid files", self.skipped.len())
            }
        )
    }
}

/// Loads and verifies sliver files `(pair index, path)` of one axis, in order, until enough are
/// valid to decode; invalid ones are reported and recorded in `skipped`.
fn load_valid<A: EncodingAxis>(
    config: &EncodingConfig,
    metadata: &BlobMetadataWithId,
    files: &[(u16, PathBuf)],
    skipped: &mut Vec<Skipped>,
    show_progress: bool,
) -> Vec<SliverData<A>> {
    let needed = usize::from(A::Orthogonal::sliver_symbols(config));
    let n = config.n_shards();
    let bar = progress(
        needed as u64,
        &format!("verifying {}", A::AXIS),
        show_progress,
    );
    let mut valid = Vec::with_capacity(needed);
    let mut rest = files;
    while valid.len() < needed && !rest.is_empty() {
        let (batch, tail) = rest.split_at((needed - valid.len()).min(rest.len()));
        rest = tail;
        let results: Vec<_> = batch
            .par_iter()
            .map(|(pair, path)| {
                let sliver = fs::read(path)
                    .map_err(|e| format!("cannot read: {e}"))
                    .and_then(|bytes| {
                        SliverData::<A>::from_bcs(&bytes).map_err(|e| format!("not a sliver: {e}"))
                    })?;
                let expected = A::pair_index(*pair, n);
                if sliver.index != expected {
                    return Err(format!(
                        "holds sliver index {}, expected {expected} for pair {pair}",
                        sliver.index
                    ));
                }
                sliver
                    .verify(config, metadata.metadata())
                    .map_err(|e| e.to_string())?;
                Ok(sliver)
            })
            .collect();
        for ((_, path), result) in batch.iter().zip(results) {
            match result {
                Ok(sliver) => {
                    valid.push(sliver);
                    bar.inc(1);
                }
                Err(reason) => {
                    warn(format_args!("skipping {}: {reason}", path.display()));
                    skipped.push(Skipped {
                        file: path.display().to_string(),
                        reason,
                    });
                }
            }
        }
    }
    bar.finish_and_clear();
    valid
}

pub(crate) fn decode(args: DecodeArgs, json: bool) -> anyhow::Result<ExitCode> {
    let dir = &args.dir;
    let metadata_path = dir.join(METADATA_FILE);
    let bytes = fs::read(&metadata_path).with_context(|| {
        format!(
            "cannot read {} (is this a directory written by `haulout encode`?)",
            metadata_path.display()
        )
    })?;
    let metadata = BlobMetadataWithId::from_bcs(&bytes)
        .with_context(|| format!("{} is not valid blob metadata", metadata_path.display()))?;
    let config = u16::try_from(metadata.metadata().n_shards())
        .ok()
        .and_then(|n| EncodingConfig::new(n).ok())
        .with_context(|| {
            format!(
                "{} has an unusable shard count {}",
                metadata_path.display(),
                metadata.metadata().n_shards()
            )
        })?;
    metadata
        .verify(&config)
        .with_context(|| format!("{} is inconsistent", metadata_path.display()))?;

    let (mut primary, mut secondary) = (Vec::new(), Vec::new());
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((axis, pair)) = parse_sliver_file(&name) else {
            continue;
        };
        if pair >= config.n_shards() {
            warn(format_args!(
                "ignoring {}: pair index out of range",
                entry.path().display()
            ));
            continue;
        }
        match axis {
            "primary" => primary.push((pair, entry.path())),
            _ => secondary.push((pair, entry.path())),
        }
    }
    // Lowest sliver index first: systematic slivers decode without Reed–Solomon work.
    let n_shards = config.n_shards();
    primary.sort_by_key(|(pair, _)| Primary::pair_index(*pair, n_shards));
    secondary.sort_by_key(|(pair, _)| Secondary::pair_index(*pair, n_shards));

    let length = metadata.metadata().unencoded_length();
    let large = length >= SHOW_PROGRESS_BYTES;
    let mut skipped = Vec::new();
    let p = config.n_primary_source_symbols();
    let s = config.n_secondary_source_symbols();
    let valid_primary = load_valid::<Primary>(&config, &metadata, &primary, &mut skipped, large);
    let (blob, axis, used) = if valid_primary.len() >= usize::from(p) {
        let used = valid_primary.len();
        let blob = config.decode_verified(&metadata, valid_primary, ConsistencyCheck::Default)?;
        (blob, "primary", used)
    } else {
        let valid_secondary =
            load_valid::<Secondary>(&config, &metadata, &secondary, &mut skipped, large);
        if valid_secondary.len() < usize::from(s) {
            bail!(
                "too few valid slivers in {} to rebuild blob {}: {} valid primary (need {p}) and {} \
                 valid secondary (need {s}); {} files were invalid",
                dir.display(),
                metadata.blob_id(),
                valid_primary.len(),
                valid_secondary.len(),
                skipped.len()
            );
        }
        let used = valid_secondary.len();
        let blob = config.decode_verified(&metadata, valid_secondary, ConsistencyCheck::Default)?;
        (blob, "secondary", used)
    };
    write_output(&args.out, &blob)?;
    if args.out == Path::new("-") {
        // Standard output carries the blob itself.
        return Ok(ExitCode::SUCCESS);
    }
    emit(
        &DecodeOutput {
            blob_id: metadata.blob_id().to_string(),
            out: args.out.display().to_string(),
            bytes: blob.len() as u64,
            axis,
            slivers_used: used,
            skipped,
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Writes `data` to `path` atomically (a temporary file renamed into place), or to stdout for `-`.
fn write_output(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    if path == Path::new("-") {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        out.write_all(data)?;
        out.flush()?;
        return Ok(());
    }
    let file_name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let mut temporary = path.to_path_buf();
    temporary.set_file_name(format!(".{}.partial", file_name.to_string_lossy()));
    fs::write(&temporary, data).with_context(|| format!("cannot write {}", temporary.display()))?;
    fs::rename(&temporary, path)
        .with_context(|| format!("cannot move the result to {}", path.display()))?;
    Ok(())
}
