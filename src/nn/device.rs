//! Process-wide libtorch settings: CPU threads, random seeds, and the device models live on.
//!
//! Call [`init_threads`] and [`seed_all`] once at the start of a run, before building models, and
//! [`device`] to place them. Code that draws from libtorch's generator while other threads of the
//! process may draw too (trainings run side by side by `shopgym experiment`, parallel fits) seeds
//! it with [`seed_exclusive`] and draws while holding the guard; code that draws only as a side
//! effect it discards (building a network whose weights are replaced) holds [`hold_generator`].
//! CUDA is used when libtorch sees a GPU, CPU otherwise; the environment variable
//! `SHOPGYM_DEVICE` (`cpu`, `cuda`, `cuda:<index>`) overrides that choice.

use std::sync::{Mutex, MutexGuard};

use tch::Device;

use super::NnError;

/// Environment variable that overrides the device choice: `cpu`, `cuda` or `cuda:<index>`.
pub const DEVICE_ENV: &str = "SHOPGYM_DEVICE";

/// Environment variable that sets libtorch's intra-op CPU thread count.
pub const THREADS_ENV: &str = "SHOPGYM_TORCH_THREADS";

/// CPU threads per libtorch op when `SHOPGYM_TORCH_THREADS` is unset. The agents' networks are
/// small (hidden layers of tens to hundreds of units, batches of at most a few thousand rows), for
/// which one thread is as fast as several and leaves the other cores to parallel environments.
pub const DEFAULT_TORCH_THREADS: usize = 1;

/// The device to put models and tensors on: `SHOPGYM_DEVICE` if set, else CUDA device 0 when
/// libtorch sees one, else the CPU.
///
/// Fails when the variable is malformed or asks for a GPU libtorch does not see: a run that asked
/// for CUDA should not quietly train on the CPU.
pub fn device() -> Result<Device, NnError> {
    let setting = std::env::var(DEVICE_ENV).ok();
    parse_device(setting.as_deref(), cuda_device_count())
}

/// The pure part of [`device`]: `setting` is the value of `SHOPGYM_DEVICE` (`None` or empty when
/// unset) and `cuda_devices` the number of CUDA devices libtorch reports.
pub fn parse_device(setting: Option<&str>, cuda_devices: usize) -> Result<Device, NnError> {
    let unavailable = |requested: &str| NnError::CudaUnavailable {
        requested: requested.to_owned(),
        available: cuda_devices,
    };
    let Some(raw) = setting.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(if cuda_devices > 0 {
            Device::Cuda(0)
        } else {
            Device::Cpu
        });
    };
    match raw.to_ascii_lowercase().as_str() {
        "cpu" => Ok(Device::Cpu),
        "cuda" | "gpu" => match cuda_devices {
            0 => Err(unavailable(raw)),
            _ => Ok(Device::Cuda(0)),
        },
        other => {
            let index = other
                .strip_prefix("cuda:")
                .and_then(|i| i.parse::<usize>().ok())
                .ok_or_else(|| NnError::BadDevice(raw.to_owned()))?;
            if index < cuda_devices {
                Ok(Device::Cuda(index))
            } else {
                Err(unavailable(raw))
            }
        }
    }
}

/// Sets libtorch's intra-op CPU threads to `SHOPGYM_TORCH_THREADS`, or to
/// [`DEFAULT_TORCH_THREADS`] when unset, and returns the count set. Safe to call more than once.
pub fn init_threads() -> Result<usize, NnError> {
    let threads = match std::env::var(THREADS_ENV) {
        Err(_) => DEFAULT_TORCH_THREADS,
        Ok(raw) => match raw.trim().parse::<usize>() {
            Ok(n) if (1..=i32::MAX as usize).contains(&n) => n,
            _ => return Err(NnError::BadThreads(raw)),
        },
    };
    let as_i32 = i32::try_from(threads).expect("thread count checked to fit in i32 above");
    tch::set_num_threads(as_i32);
    Ok(threads)
}

/// Seeds libtorch's generators (CPU and every CUDA device) so weight initialisation, dropout and
/// sampling done by libtorch repeat from run to run. The simulator's own ChaCha streams are seeded
/// separately. On CUDA some kernels stay non-deterministic regardless.
pub fn seed_all(seed: u64) {
    // libtorch takes the seed as a 64-bit pattern; reinterpreting the bits keeps every u64 distinct.
    tch::manual_seed(i64::from_ne_bytes(seed.to_ne_bytes()));
}

/// libtorch's CPU generator is one per process. Whoever seeds it and draws from it while other
/// threads may do the same holds this lock from the seed to its last draw.
static GENERATOR: Mutex<()> = Mutex::new(());

/// Seeds libtorch's generators ([`seed_all`]) and keeps them to the caller until the guard
/// drops, so the draws made meanwhile are the ones `seed` implies whatever else the process runs.
/// Not reentrant: drop the guard before anything that may take it again.
pub fn seed_exclusive(seed: u64) -> MutexGuard<'static, ()> {
    // A panic while holding the lock leaves nothing half-done in the generator that the next
    // seed does not reset, so a poisoned lock is taken over.
    let guard = hold_generator();
    seed_all(seed);
    guard
}

/// Holds libtorch's generator without seeding it, for code whose draws from it are a side effect
/// it discards: building a network whose weights are then overwritten (DQN's, drawn from a ChaCha
/// stream) or loaded from a checkpoint. Unheld, those draws could land between a
/// [`seed_exclusive`] holder's seed and its draws, and change what the holder draws.
pub fn hold_generator() -> MutexGuard<'static, ()> {
    GENERATOR.lock().unwrap_or_else(|p| p.into_inner())
}

/// CUDA devices libtorch sees; 0 with a CPU-only libtorch or without a driver.
fn cuda_device_count() -> usize {
    if tch::Cuda::is_available() {
        usize::try_from(tch::Cuda::device_count()).unwrap_or(0)
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_picks_cuda_only_when_present() {
        assert_eq!(parse_device(None, 0).ok(), Some(Device::Cpu));
        assert_eq!(parse_device(Some(""), 2).ok(), Some(Device::Cuda(0)));
    }

    #[test]
    fn explicit_settings() {
        assert_eq!(parse_device(Some("cpu"), 4).ok(), Some(Device::Cpu));
        assert_eq!(parse_device(Some(" CUDA "), 1).ok(), Some(Device::Cuda(0)));
        assert_eq!(parse_device(Some("cuda:1"), 2).ok(), Some(Device::Cuda(1)));
    }

    #[test]
    fn bad_settings_are_errors() {
        assert!(matches!(
            parse_device(Some("cuda"), 0),
            Err(NnError::CudaUnavailable { .. })
        ));
        assert!(matches!(
            parse_device(Some("cuda:2"), 2),
            Err(NnError::CudaUnavailable { .. })
        ));
        assert!(matches!(
            parse_device(Some("tpu"), 1),
            Err(NnError::BadDevice(_))
        ));
        assert!(matches!(
            parse_device(Some("cuda:x"), 1),
            Err(NnError::BadDevice(_))
        ));
    }
}
