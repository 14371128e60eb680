// Integration tests wait on real brokers and databases; each wait has its own bound (waitFor).
jest.setTimeout(120_000);
