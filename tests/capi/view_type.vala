// Framescope from Vala through framescope-0.vapi (tests/capi.rs): creates a
// PlayerView, seeks its player and prints the view's GType name, then that
// of RemoteControl (its static `export` is in the vapi too).
int main (string[] args) {
    Gtk.init ();
    try {
        Framescope.init ();
    } catch (Error e) {
        printerr ("view_type: %s\n", e.message);
        return 1;
    }
    var view = new Framescope.PlayerView ();
    view.get_player ().seek (0, Framescope.SeekMode.ACCURATE);
    print ("%s\n", view.get_type ().name ());
    print ("%s\n", typeof (Framescope.RemoteControl).name ());
    return 0;
}
