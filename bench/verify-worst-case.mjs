// Worst-case certificate verification CPU (audit #4, issue 12 group 1), one build:
//   node bench/verify-worst-case.mjs            (this checkout's dist/src/, after npm run build)
//   LIB=/path/to/other/dist/src node bench/verify-worst-case.mjs   (e.g. an older commit, for before/after)
const LIB = process.env.LIB ?? new URL('../dist/src', import.meta.url).pathname;
const t = await import(`${LIB}/index.js`);
// The minter is in testing/ since the ring split; older builds had it in x509/.
const mint = await import(`${LIB}/testing/mint.js`).catch(() => import(`${LIB}/x509/mint.js`));
const node = await import(`${LIB}/crypto/node/index.js`);
const providers = { noble: t.nobleProvider.verifier, node: node.nodeProvider.verifier };
const root = await mint.mintCertificate({ subject: 'Cost Root', isCA: true });
const names = (n, f) => Array.from({ length: n }, (_, i) => f(i));
function run(label, chain, extra = {}) {
  for (const [p, v] of Object.entries(providers)) {
    const ver = new t.WebPkiClientVerifier({ trustAnchors: [root.certDer], verifier: v, ...extra });
    const t0 = performance.now();
    let out = 'accepted';
    try { ver.verify({ chain, now: new Date() }); } catch (e) { out = `${e.name}: ${e.message}`.slice(0, 110); }
    console.log(`${label} [${p}]: ${(performance.now() - t0).toFixed(0)} ms — ${out}`);
  }
}
const client = await mint.mintCertificate({ subject: 'client', issuer: root, eku: ['clientAuth'], sans: ['client.test'] });
// (a) 700 small certificates appended to a valid leaf.
const k = await mint.generateKey('p256');
const smalls = [];
for (let i = 0; i < 700; i++) smalls.push((await mint.mintCertificate({ subject: 'x' + i, key: k, issuer: root, isCA: true, omitKeyIdentifiers: true })).certDer);
run('#4(a) leaf + 700 extraneous certificates', [client.certDer, ...smalls]);
run('#4(a) same, maxPresentedCertificates 1000', [client.certDer, ...smalls], { maxPresentedCertificates: 1000 });
// (b) 64 / (c) 300 same-name candidate issuers, none the real one.
for (const [n, kt] of [[64, 'p521'], [300, 'p256']]) {
  const evilKey = await mint.generateKey(kt);
  const evil = await mint.mintCertificate({ subject: 'Evil', key: evilKey, isCA: true, omitKeyIdentifiers: true });
  const leaf = await mint.mintCertificate({ subject: 'leaf', issuer: { certDer: evil.certDer, key: evilKey }, eku: ['clientAuth'], omitKeyIdentifiers: true });
  const fakes = [];
  for (let i = 0; i < n; i++) fakes.push((await mint.mintCertificate({ subject: 'Evil', keyType: kt, issuer: { certDer: evil.certDer, key: evilKey }, isCA: true, omitKeyIdentifiers: true })).certDer);
  run(`#4(b) ${n} ${kt} candidate issuers`, [leaf.certDer, ...fakes]);
  run(`#4(b) same, maxPresentedCertificates 1000`, [leaf.certDer, ...fakes], { maxPresentedCertificates: 1000 });
}
// Issue 12 group 1: 2,048 permitted DNS constraints over 2,048 SANs.
const sans = names(2048, (i) => `n${i}.example.com`);
const ca = await mint.mintCertificate({ subject: 'NC CA', issuer: root, isCA: true, nameConstraints: { permitted: [...names(2047, (i) => `DNS:c${i}.test`), 'DNS:example.com'] } });
const l = await mint.mintCertificate({ subject: 'leaf', issuer: ca, sans, eku: ['serverAuth', 'clientAuth'] });
run('12 group 1: 2,048 DNS constraints x 2,048 SANs', [l.certDer, ca.certDer]);
for (const [form, san] of [['URI', (h) => `spiffe://${h}/w`], ['email', (h) => `u@${h}`]]) {
  const c2 = await mint.mintCertificate({ subject: form + ' CA', issuer: root, isCA: true, nameConstraints: { permitted: [...names(1023, (i) => `${form}:c${i}.test`), `${form}:.example.com`], excluded: names(1024, (i) => `${form}:x${i}.example.com`) } });
  const l2 = await mint.mintCertificate({ subject: 'leaf', issuer: c2, sans: sans.map(san), eku: ['serverAuth', 'clientAuth'] });
  run(`12 group 1: 1,024+1,024 ${form} constraints x 2,048 SANs`, [l2.certDer, c2.certDer]);
}
