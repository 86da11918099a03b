import { call, seedPatient, useStack } from '../helpers/stack';

const stack = useStack({ env: { RATE_LIMIT_PER_MINUTE: '8' } });

describe('rate limits', () => {
  it('refuses a patient who keeps calling with 429 RATE_LIMITED and a Retry-After', async () => {
    const p = await seedPatient(stack); // login and bind use 2 of the 8
    const answers = [];
    for (let i = 0; i < 8; i++)
      answers.push(await call(stack.url, 'GET', '/api/v1/orders', { token: p.token }));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThan(0);
    // another patient is not affected
    const other = await seedPatient(stack);
    expect((await call(stack.url, 'GET', '/api/v1/orders', { token: other.token })).status).toBe(200);
  });
});
