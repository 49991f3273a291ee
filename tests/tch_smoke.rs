#![cfg(feature = "tch")]
//! Smoke test of the libtorch plumbing (`--features tch`): the test binary loads libtorch through
//! build.rs's rpath, an [`Mlp`] runs forward and learns a small regression with Adam, and a
//! checkpoint round trip gives bit-identical outputs. Runs on `shopgym::nn::device()`, so on a GPU
//! machine it exercises CUDA too.

use std::sync::{Mutex, MutexGuard};

use shopgym::nn::{self as snn, Activation, Mlp, NnError};
use tch::nn::{self, Module, OptimizerConfig};
use tch::{Device, Kind, Tensor};

/// libtorch's generators are process-wide; tests that seed and draw take this lock.
static TORCH: Mutex<()> = Mutex::new(());

fn setup() -> (MutexGuard<'static, ()>, Device) {
    let guard = TORCH
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    snn::init_threads().expect("SHOPGYM_TORCH_THREADS, if set, is a positive integer");
    let device = snn::device().expect("SHOPGYM_DEVICE, if set, names an available device");
    (guard, device)
}

/// `y = sin(x0) + 0.5 x1 x2` on standard-normal inputs: `[n, 3]` in, `[n, 1]` out.
fn regression_data(n: i64, device: Device) -> (Tensor, Tensor) {
    let x = Tensor::randn([n, 3], (Kind::Float, device));
    let y = x.select(1, 0).sin() + x.select(1, 1) * x.select(1, 2) * 0.5;
    (x, y.unsqueeze(1))
}

#[test]
fn mlp_forward_and_adam_reduce_the_loss() {
    let (_guard, device) = setup();
    snn::seed_all(0);
    let vs = nn::VarStore::new(device);
    let net = Mlp::new(&[3, 64, 64, 1])
        .expect("valid sizes")
        .activation(Activation::Tanh)
        .orthogonal(2f64.sqrt(), 1.0)
        .build(&vs.root());
    let (x, y) = regression_data(512, device);

    let out = net.forward(&x); // [512, 1]
    assert_eq!(out.size(), [512, 1]);
    assert_eq!(out.device(), device);

    let mut opt = nn::Adam::default()
        .build(&vs, 1e-2)
        .expect("Adam over the MLP's variables");
    let loss_at = |net: &nn::Sequential| net.forward(&x).mse_loss(&y, tch::Reduction::Mean);
    let initial = loss_at(&net).double_value(&[]);
    for _ in 0..200 {
        let loss = loss_at(&net);
        opt.backward_step(&loss);
    }
    let trained = tch::no_grad(|| loss_at(&net)).double_value(&[]);
    eprintln!("device {device:?}: mse {initial:.4} -> {trained:.4}");
    assert!(trained.is_finite());
    assert!(
        trained < 0.25 * initial,
        "Adam did not learn: mse {initial} -> {trained}"
    );
}

#[test]
fn seeding_repeats_initialisation() {
    let (_guard, device) = setup();
    let draw = || {
        snn::seed_all(42);
        let vs = nn::VarStore::new(device);
        let net = Mlp::new(&[3, 8, 2]).expect("valid sizes").build(&vs.root());
        tch::no_grad(|| net.forward(&Tensor::ones([4, 3], (Kind::Float, device))))
    };
    assert!(draw().equal(&draw()));
}

#[test]
fn checkpoint_round_trip_gives_identical_outputs() {
    let (_guard, device) = setup();
    let dir = tempfile::tempdir().expect("temporary directory");
    let mlp = Mlp::new(&[3, 16, 16, 2])
        .expect("valid sizes")
        .activation(Activation::Relu);
    let x = Tensor::randn([32, 3], (Kind::Float, device));

    snn::seed_all(1);
    let vs = nn::VarStore::new(device);
    let net = mlp.build(&vs.root());
    let expected = tch::no_grad(|| net.forward(&x)); // [32, 2]

    for name in ["q.safetensors", "q.ot"] {
        let path = dir.path().join(name);
        snn::save_var_store(&vs, &path).expect("save checkpoint");
        // Saving again replaces the file in place.
        snn::save_var_store(&vs, &path).expect("overwrite checkpoint");

        snn::seed_all(2);
        let mut restored_vs = nn::VarStore::new(device);
        let restored = mlp.build(&restored_vs.root());
        assert!(
            !tch::no_grad(|| restored.forward(&x)).equal(&expected),
            "{name}: seeds differ"
        );
        snn::load_var_store(&mut restored_vs, &path).expect("load checkpoint");
        assert!(
            tch::no_grad(|| restored.forward(&x)).equal(&expected),
            "{name}: outputs differ"
        );

        // A model of another shape is refused with a typed error.
        let mut other_vs = nn::VarStore::new(device);
        let _other = Mlp::new(&[3, 4, 2])
            .expect("valid sizes")
            .build(&other_vs.root());
        let err = snn::load_var_store(&mut other_vs, &path).expect_err("shape mismatch");
        assert!(matches!(err, NnError::Checkpoint { .. }), "{name}: {err}");
    }
    // Only the two checkpoints remain: no temporary files left behind.
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read temporary directory")
        .map(|e| e.expect("directory entry").file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["q.ot", "q.safetensors"]);
}

/// build.rs keeps `libtorch.so` (hence `libtorch_cuda.so`) linked although no symbol of it is
/// used; without that `tch::Cuda::is_available()` is false even on a GPU machine.
#[cfg(target_os = "linux")]
#[test]
fn cuda_backend_is_loaded_when_libtorch_has_one() {
    let Some(lib_dir) = option_env!("SHOPGYM_LIBTORCH_LIB") else {
        panic!("build.rs did not receive DEP_TCH_LIBTORCH_LIB from torch-sys");
    };
    let has_cuda = std::path::Path::new(lib_dir)
        .join("libtorch_cuda.so")
        .exists();
    let maps = std::fs::read_to_string("/proc/self/maps").expect("read /proc/self/maps");
    assert_eq!(
        maps.contains("libtorch_cuda.so"),
        has_cuda,
        "libtorch dir {lib_dir}"
    );
    eprintln!(
        "libtorch {lib_dir}: CUDA backend {}, cuda available: {}, devices: {}",
        if has_cuda {
            "loaded"
        } else {
            "absent (CPU build)"
        },
        tch::Cuda::is_available(),
        tch::Cuda::device_count()
    );
}
