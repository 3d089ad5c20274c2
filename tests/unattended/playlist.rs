//! The playlist: items in order, shuffle, moving and removing items, repeat
//! all and repeat one, and the black end action.

use super::*;

pub fn playlist_plays_every_item_in_order_then_stops() {
    with_context(|| {
        let items = [
            clip("h264_aac.mp4"),
            clip("vp9_opus.webm"),
            clip("theora_vorbis.ogg"),
        ];
        let player = Player::headless();
        set_files(&player, &items);
        let seen = record_items(&player);
        let out = record(&player);
        player.play();
        assert!(run_until(Duration::from_secs(30), || out.borrow().eos));
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        assert_eq!(*seen.borrow(), [0, 1, 2]);
        assert_eq!(player.state(), PlayerState::Paused);
        assert!(player.uri().unwrap().ends_with("theora_vorbis.ogg"));
        assert!(!player.has_next());
        assert!(player.has_previous());
    });
}

/// Shuffle plays every item once, in an order of its own, then stops;
/// `item-ended` comes for each item in that order, gapless switches
/// included (on GStreamer 1.22 local items are each loaded afresh).
pub fn shuffle_plays_each_item_once_and_signals_each_item() {
    with_context(|| {
        let items = [
            clip("h264_aac.mp4"),
            clip("vp9_opus.webm"),
            clip("theora_vorbis.ogg"),
            h264_aac_ball(),
        ];
        let player = Player::headless();
        player.set_shuffle(true);
        let loading = Rc::new(RefCell::new(Vec::new()));
        let ended = Rc::new(RefCell::new(Vec::new()));
        let l = loading.clone();
        player.connect_item_loading(move |_, i| l.borrow_mut().push(i));
        let e = ended.clone();
        player.connect_item_ended(move |p, i| {
            // The item that ended is still the one loaded.
            assert_eq!(p.current_index(), i);
            e.borrow_mut().push(i);
        });
        set_files(&player, &items);
        let seen = record_items(&player);
        let out = record(&player);
        player.play();
        assert!(run_until(Duration::from_secs(40), || out.borrow().eos));
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        let order: Vec<i32> = seen.borrow().clone();
        if super::gapless::local_items_take_playbin() {
            // GStreamer 1.22: each local item is loaded afresh.
            assert_eq!(*loading.borrow(), order);
        } else {
            // Items switch gaplessly: only the first is loaded afresh.
            assert_eq!(*loading.borrow(), [0]);
        }
        assert_eq!(order[0], 0, "the list starts at its first item");
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2, 3], "each item once: {order:?}");
        assert_eq!(*ended.borrow(), order, "each item ended, in order");
        assert!(!player.has_next(), "shuffle without repeat ends");
        println!("    shuffled order: {order:?}");
    });
}

/// Many shuffles of a list give different orders (not the list order each
/// time), and switching shuffle off goes back to the list order.
pub fn shuffle_orders_differ_and_off_restores_list_order() {
    with_context(|| {
        let player = Player::headless();
        let names: Vec<String> = (0..6).map(|i| format!("/nonexistent/{i}.mp4")).collect();
        for name in &names {
            player.append_item(name);
        }
        let mut orders = std::collections::HashSet::new();
        for _ in 0..20 {
            player.set_shuffle(false);
            player.set_current_index(-1);
            player.set_shuffle(true);
            orders.insert(order_of_next(&player));
        }
        assert!(orders.len() > 3, "shuffle gave {} orders", orders.len());
        assert!(orders.iter().all(|o| {
            let mut sorted = o.clone();
            sorted.sort_unstable();
            sorted == [0, 1, 2, 3, 4, 5]
        }));
        player.set_shuffle(false);
        assert_eq!(order_of_next(&player), [0, 1, 2, 3, 4, 5]);
    });
}

/// The items `next` goes through from no item current, read from
/// `current-index` (the files do not exist: only the order counts).
fn order_of_next(player: &Player) -> Vec<usize> {
    player.set_current_index(-1);
    let mut order = Vec::new();
    while order.len() < player.playlist().n_items() as usize && player.next() {
        order.push(player.current_index() as usize);
    }
    player.stop();
    order
}

/// Moving and removing items keep the item playing current.
pub fn moving_and_removing_items_keep_the_current_item() {
    with_context(|| {
        let player = Player::headless();
        let items = [clip("h264_aac.mp4"), clip("vp9_opus.webm"), h264_aac_ball()];
        set_files(&player, &items);
        player.set_current_index(1);
        let uri = player.uri().unwrap();
        player.move_item(1, 0);
        assert_eq!(player.current_index(), 0);
        player.move_item(2, 0);
        assert_eq!(player.current_index(), 1);
        player.move_item(1, 2);
        assert_eq!(player.current_index(), 2);
        assert_eq!(player.uri().unwrap(), uri, "moving reloads nothing");
        // Removing another item shifts the index; removing the item playing
        // loads the one that took its place.
        player.remove_item(0);
        assert_eq!(player.current_index(), 1);
        player.remove_item(1);
        assert_eq!(player.current_index(), 0);
        assert_ne!(player.uri().unwrap(), uri);
        player.remove_item(0);
        assert_eq!(player.playlist().n_items(), 0);
        assert_eq!(player.state(), PlayerState::Stopped);
    });
}

pub fn repeat_all_wraps_and_black_end_stops() {
    with_context(|| {
        let items = [clip("h264_aac.mp4"), h264_aac_ball()];
        let player = Player::headless();
        set_files(&player, &items);
        player.set_repeat(Repeat::All);
        let seen = record_items(&player);
        player.play();
        assert!(
            run_until(Duration::from_secs(20), || seen.borrow().len() >= 3),
            "items seen: {:?}",
            seen.borrow()
        );
        assert_eq!(seen.borrow()[..3], [0, 1, 0]);
        // User next/previous wrap around with repeat all.
        player.set_current_index(1);
        assert!(player.next());
        assert_eq!(player.current_index(), 0);
        assert!(player.previous());
        assert_eq!(player.current_index(), 1);

        // Stop to black at the end of an item.
        player.set_repeat(Repeat::None);
        player.set_end_action(EndAction::Black);
        let out = record(&player);
        player.set_current_index(0);
        player.play();
        assert!(run_until(Duration::from_secs(10), || out.borrow().eos));
        assert_eq!(player.state(), PlayerState::Stopped);
        assert_eq!(player.current_index(), 0, "black does not advance");
        assert!(player.pipeline().is_none());
    });
}

pub fn repeat_one_loops_the_item_seamlessly() {
    with_context(|| {
        let player = Player::headless();
        player.set_items(&[
            clip("h264_aac.mp4").display().to_string(),
            h264_aac_ball().display().to_string(),
        ]);
        player.set_repeat(Repeat::One);
        assert!(player.is_looping(), "repeat one loops the item");
        let out = record(&player);
        player.play();
        // Two rounds of a 2 s clip, still on item 0, no end of stream.
        run_until(Duration::from_secs(5), || false);
        assert_eq!(player.current_index(), 0);
        assert!(!out.borrow().eos);
        assert!(rendered(&player) > 120, "{} frames", rendered(&player));
        player.set_repeat(Repeat::None);
        assert!(
            !player.is_looping(),
            "the playlist's loop goes with repeat one"
        );
    });
}
