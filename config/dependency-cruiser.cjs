/**
 * The architecture of DESIGN section 3, checked by `npm run lint` (dependency-cruiser): the direction of imports
 * between the layers, and no import cycles anywhere. Type-only imports count too: a cycle of types is still a
 * cycle a reader has to untangle.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Modules must not depend on each other in a circle (DESIGN 3).',
      severity: 'error',
      from: { path: '^(server|shared|mocks|miniprogram|scripts|bench|config)/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment: 'server/domain imports nothing but shared/ and itself: no I/O, no framework.',
      severity: 'error',
      from: { path: '^server/domain/' },
      to: { pathNot: ['^server/domain/', '^shared/'] },
    },
    {
      name: 'server-never-imports-mocks-or-tooling',
      comment:
        'The server never imports mocks/, scripts/, bench/ or tests/ (the launcher and tests wire them).',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^(mocks|scripts|bench|tests)/' },
    },
    {
      name: 'mocks-never-import-server',
      comment: 'The mocks are the outside parties: they never import server/ (nor the tooling).',
      severity: 'error',
      from: { path: '^mocks/' },
      to: { path: '^(server|scripts|bench|tests|miniprogram)/' },
    },
    {
      name: 'miniprogram-imports-only-shared',
      comment: 'The mini-program imports only shared/ (and Taro/React).',
      severity: 'error',
      from: { path: '^miniprogram/' },
      to: { path: '^(server|mocks|scripts|bench|tests)/' },
    },
    {
      name: 'shared-imports-only-shared',
      comment: 'shared/ is imported by everyone, so it imports no one.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(server|mocks|miniprogram|scripts|bench|tests|config)/' },
    },
    {
      name: 'layers-point-inwards',
      comment: 'http → services → domain; services never reach up into http/ or jobs/.',
      severity: 'error',
      from: { path: '^server/(services|gateways|db|security|ephemeral)/' },
      to: { path: '^server/(http|jobs)/' },
    },
    {
      name: 'gateways-below-services',
      comment: 'Adapters implement ports; they never call the use cases above them.',
      severity: 'error',
      from: { path: '^server/(gateways|db|security|ephemeral)/' },
      to: { path: '^server/services/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(server|shared|mocks|miniprogram|scripts|bench|config|tests)/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.json'] },
  },
};
