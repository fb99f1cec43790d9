/* tests/guest/xclose.c: asks the X window whose name starts with PREFIX to
 * close, as a window manager's close button does (a WM_DELETE_WINDOW
 * client message); with a second argument KEYSYM (e.g. "a") it instead
 * sends that key's press and release to the window. Exit 0 when sent, 1
 * when no such window. Host-only helper of
 * tests/guest/virtio_gpu_sdl_close.sh. */
#include <stdio.h>
#include <string.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>

int main(int argc, char **argv)
{
    const char *prefix = argc > 1 ? argv[1] : "rivet";
    Display *dpy = XOpenDisplay(NULL);
    if (!dpy) {
        fprintf(stderr, "xclose: cannot open the display\n");
        return 1;
    }
    Window root = DefaultRootWindow(dpy), r, p, *kids = NULL;
    unsigned n = 0;
    XQueryTree(dpy, root, &r, &p, &kids, &n);
    Window target = 0;
    for (unsigned i = 0; i < n && !target; i++) {
        char *name = NULL;
        if (XFetchName(dpy, kids[i], &name) && name) {
            if (!strncmp(name, prefix, strlen(prefix)))
                target = kids[i];
            XFree(name);
        }
    }
    if (kids)
        XFree(kids);
    if (!target) {
        fprintf(stderr, "xclose: no window named %s*\n", prefix);
        XCloseDisplay(dpy);
        return 1;
    }
    XEvent ev;
    memset(&ev, 0, sizeof ev);
    if (argc > 2) {
        KeySym sym = XStringToKeysym(argv[2]);
        XSetInputFocus(dpy, target, RevertToParent, CurrentTime);
        for (int down = 1; down >= 0; down--) {
            memset(&ev, 0, sizeof ev);
            ev.xkey.type = down ? KeyPress : KeyRelease;
            ev.xkey.display = dpy;
            ev.xkey.window = target;
            ev.xkey.root = DefaultRootWindow(dpy);
            ev.xkey.time = CurrentTime;
            ev.xkey.same_screen = True;
            ev.xkey.keycode = XKeysymToKeycode(dpy, sym);
            XSendEvent(dpy, target, True, down ? KeyPressMask : KeyReleaseMask, &ev);
            XFlush(dpy);
        }
        XCloseDisplay(dpy);
        return 0;
    }
    ev.xclient.type = ClientMessage;
    ev.xclient.window = target;
    ev.xclient.message_type = XInternAtom(dpy, "WM_PROTOCOLS", False);
    ev.xclient.format = 32;
    ev.xclient.data.l[0] = (long)XInternAtom(dpy, "WM_DELETE_WINDOW", False);
    ev.xclient.data.l[1] = CurrentTime;
    XSendEvent(dpy, target, False, NoEventMask, &ev);
    XFlush(dpy);
    XCloseDisplay(dpy);
    return 0;
}
