//! How a request reads, decided once for every view (inbox, outbox, detail, workbench,
//! `/overdue`, the joint office's board): issue #15 §11. A request whose original limit was
//! missed stays overdue after the joint office orders a new limit (A2 §11: the order is a
//! remedy, not a new deadline that hides the lateness), and the ordered limit's own time is
//! shown beside it.

use super::{State, countdown_class, countdown_text};

/// The facts a request's display state depends on.
#[derive(Debug, Clone, Copy)]
pub struct DisplayFacts {
    pub state: State,
    pub sent_at: i64,
    /// The request's own (original) due instant, never moved by an order.
    pub due_at: Option<i64>,
    pub ordered_at: Option<i64>,
    /// The limit ordered by the joint office (A2 §11).
    pub order_due_at: Option<i64>,
}

/// What every view shows of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Display {
    /// Registered and past its original due instant (A2 §11).
    pub overdue: bool,
    pub state_label: String,
    /// `ok`, `warn`, `bad`, `late`, or empty when no clock runs.
    pub countdown_class: &'static str,
    /// The original limit's countdown or lateness, and the ordered limit's when there is one:
    /// e.g. `已逾期 8 天 2 小时；责成限时剩余 23 小时 10 分钟`.
    pub countdown_text: String,
}

/// The one display state of a request at `now_ms`.
pub fn display(f: &DisplayFacts, now_ms: i64) -> Display {
    let running = f.state == State::Registered;
    let overdue = running && f.due_at.is_some_and(|d| now_ms >= d);
    let state_label = if overdue {
        "逾期未反馈".to_owned()
    } else {
        f.state.label().to_owned()
    };
    let (Some(due), true) = (f.due_at, running) else {
        return Display {
            overdue,
            state_label,
            countdown_class: "",
            countdown_text: String::new(),
        };
    };
    // The colour is the request's own limit's: an ordered request is still late (red).
    let class = countdown_class(f.sent_at, due, now_ms);
    let mut text = countdown_text(due, now_ms);
    if let Some(order_due) = f.order_due_at {
        let left = countdown_text(order_due, now_ms);
        let left = left
            .strip_prefix("剩余")
            .map(|r| format!("责成限时剩余{r}"))
            .or_else(|| {
                left.strip_prefix("已逾期")
                    .map(|r| format!("责成限时也已逾期{r}"))
            })
            .unwrap_or(left);
        text = format!("{text}；{left}");
    }
    Display {
        overdue,
        state_label,
        countdown_class: class,
        countdown_text: text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn facts() -> DisplayFacts {
        DisplayFacts {
            state: State::Registered,
            sent_at: 0,
            due_at: Some(H),
            ordered_at: None,
            order_due_at: None,
        }
    }

    #[test]
    fn an_ordered_request_stays_overdue_and_shows_both_clocks() {
        // Issue #15 §11, A2 §11: original limit missed AND the ordered limit's time left.
        let mut f = facts();
        f.ordered_at = Some(8 * 24 * H);
        f.order_due_at = Some(9 * 24 * H + H);
        let d = display(&f, 8 * 24 * H + H);
        assert!(d.overdue);
        assert_eq!(d.state_label, "逾期未反馈");
        assert_eq!(
            d.countdown_text,
            "已逾期 8 天 0 小时；责成限时剩余 1 天 0 小时"
        );
        assert_eq!(d.countdown_class, "late", "still late on its own limit");
        let late = display(&f, 10 * 24 * H);
        assert!(late.countdown_text.contains("责成限时也已逾期"));
    }

    #[test]
    fn running_finished_and_overdue() {
        let d = display(&facts(), 0);
        assert!(!d.overdue);
        assert_eq!(d.state_label, "已登记待反馈");
        assert_eq!(d.countdown_text, "剩余 1 小时 0 分钟");
        let d = display(&facts(), 2 * H);
        assert!(d.overdue);
        assert_eq!(d.countdown_class, "late");
        let mut f = facts();
        f.state = State::Answered;
        let d = display(&f, 2 * H);
        assert!(!d.overdue);
        assert_eq!(d.countdown_text, "");
    }
}
