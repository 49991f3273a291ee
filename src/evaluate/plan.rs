//! Capacity plans in the units an engineer plans with. A scenario run at `scale` s simulates s
//! times the real traffic on s times the real instances, so its instance counts divided by s
//! (rounded) are real instances; what the instances cost is stated per 1,000 completed orders,
//! a figure of dollars rather than of micro-dollars. `shopgym stress` and the experiment report
//! state their plans through these functions, so the two agree.

/// The class whose completions count as orders.
pub const ORDER_CLASS: &str = "order";

/// Completed orders among per-class completion counts `(class, completed)`: those of the class
/// `order`, or of every class when there is none.
pub fn orders_completed<'a>(completed: impl IntoIterator<Item = (&'a str, u64)>) -> u64 {
    let all: Vec<(&str, u64)> = completed.into_iter().collect();
    match all.iter().find(|(class, _)| *class == ORDER_CLASS) {
        Some(&(_, n)) => n,
        None => all.iter().map(|&(_, n)| n).sum(),
    }
}

/// An instance count (or a mean of counts) of a run at `scale`, in real instances: divided by
/// `scale` and rounded.
pub fn real_instances(count: f64, scale: f64) -> u32 {
    (count / scale).round() as u32
}

/// A plan of instance counts per pool at `scale`, in real instances.
pub fn real_plan(plan: &[u32], scale: f64) -> Vec<u32> {
    plan.iter()
        .map(|&n| real_instances(f64::from(n), scale))
        .collect()
}

/// Instance cost per 1,000 completed orders [$]: `cost` [$] over `orders`, times 1000; `None`
/// when no order completed.
pub fn cost_per_1000_orders(cost: f64, orders: u64) -> Option<f64> {
    (orders > 0).then(|| cost / orders as f64 * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_are_the_order_class_else_every_class() {
        assert_eq!(orders_completed([("browse", 90), ("order", 7)]), 7);
        assert_eq!(orders_completed([("browse", 90), ("search", 10)]), 100);
        assert_eq!(orders_completed([]), 0);
    }

    #[test]
    fn plans_are_in_real_instances() {
        // At scale 0.05 one simulated instance is 20 real ones.
        assert_eq!(real_plan(&[21, 21, 42, 49], 0.05), vec![420, 420, 840, 980]);
        assert_eq!(real_instances(2.5, 0.1), 25);
        assert_eq!(real_plan(&[3], 1.0), vec![3]);
    }

    #[test]
    fn cost_is_per_thousand_orders() {
        assert_eq!(cost_per_1000_orders(0.0, 0), None);
        let c = cost_per_1000_orders(12.0, 500_000).expect("orders completed");
        assert!((c - 0.024).abs() < 1e-12, "{c}");
    }
}
