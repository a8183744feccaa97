/* pystatic: the python3 command line, on the interpreter gwsgi embeds.
 *
 * It is linked like gwsgi links CPython (see pyembed/link_static.go):
 * statically, from Debian's libpython3.11.a. Running the same script with
 * it and with /usr/bin/python3 separates what the interpreter's build
 * costs from what the server costs; profiles/interp.sh does that for the
 * in-process ceiling. */
#include <Python.h>

int main(int argc, char **argv) { return Py_BytesMain(argc, argv); }
