// A real OpenID Connect provider (panva/oidc-provider) for the integration tests, on
// loopback only. The accounts and the one client come from the environment:
//   OIDC_REDIRECT_URI  the relying party's callback (the Proofless test server)
//   OIDC_CLIENT_SECRET the client's secret
//   OIDC_ACCOUNTS      JSON {"<sub>": {"name": …, "resident_id": …, "credit_code": …}}
// The login "interaction" is a one-field form (which account signs in), posted by the
// test; everything else — PKCE, state, nonce, code exchange, RS256-signed ID tokens,
// JWKS — is the provider's own. Prints "READY <issuer>" once listening.
import http from 'node:http';
import Provider from 'oidc-provider';

const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');
const redirectUri = process.env.OIDC_REDIRECT_URI;
const secret = process.env.OIDC_CLIENT_SECRET || 'proofless-test-secret';

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'proofless',
      client_secret: secret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['name', 'resident_id', 'credit_code'] },
    // Scope claims in the ID token itself, as the province's platform does.
    conformIdTokenClaims: false,
    findAccount: async (ctx, sub) => (accounts[sub]
      ? { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) }
      : undefined),
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['proofless-test-cookie-key'] },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const m = req.url.match(/^\/interaction\/([^/?]+)$/);
    if (!m) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        return res.end(`<form method="post" action="/interaction/${details.uid}"><input name="sub"><button>登录</button></form>`);
      }
      let body = '';
      for await (const chunk of req) body += chunk;
      const sub = new URLSearchParams(body).get('sub');
      if (!accounts[sub]) {
        return provider.interactionFinished(req, res, { error: 'access_denied' }, { mergeWithLastSubmission: false });
      }
      const grant = new provider.Grant({ accountId: sub, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { login: { accountId: sub }, consent: { grantId } },
        { mergeWithLastSubmission: false });
    } catch (e) {
      res.statusCode = 400;
      return res.end(String(e));
    }
  });
  console.log(`READY ${issuer}`);
});
// The test owns this process: end with it.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
