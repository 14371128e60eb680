// Integration tests wait on real brokers and databases; each wait has its own bound (waitFor), which
// names what did not happen. A test's timeout only guards against a hang: it is above the sum of a
// test's waits, so that a slow (busy) machine fails a wait by its name, or not at all.
jest.setTimeout(300_000);
