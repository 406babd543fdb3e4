/**
 * A member's report reaches the reports bucket: PutObject alone (no ACL, which would need s3:PutObjectAcl), following
 * S3's redirect to the bucket's region. The stand-in answers as S3 does for a bucket in another region: HTTP 301
 * PermanentRedirect with `x-amz-bucket-region`, to any request not signed for that region.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { S3Client } from '@aws-sdk/client-s3';
import { reportClient, saveReportToBucket } from '../lambda/report-upload';
import { report } from './support/reports';

const BUCKET_REGION = 'eu-west-1';
const requests: { method: string; url: string; region: string; headers: IncomingHttpHeaders; body: string }[] = [];
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\//.exec(request.headers.authorization ?? '')?.[1] ?? '';
    requests.push({ method: request.method!, url: request.url!, region, headers: request.headers, body });
    if (region !== BUCKET_REGION) {
      response.writeHead(301, { 'content-type': 'application/xml', 'x-amz-bucket-region': BUCKET_REGION });
      response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Bucket>departure-reports</Bucket></Error>');
      return;
    }
    response.writeHead(200, { etag: '"0"' }).end();
  });
});

const saved = { ...process.env };
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_MAX_ATTEMPTS: '1',
  });
});
afterAll(async () => {
  for (const key of ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_MAX_ATTEMPTS']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => (requests.length = 0));

test('the report is written to a bucket in another region, by PutObject alone, with no ACL', async () => {
  const member = report('111122223333', 'plan', []);
  await expect(saveReportToBucket(reportClient(), 'departure-reports', member)).resolves.toBe('s3://departure-reports/reports/111122223333.json');
  expect(requests.map((r) => [r.method, r.url.split('?')[0], r.region])).toEqual([
    ['PUT', '/departure-reports/reports/111122223333.json', 'us-east-1'],
    ['PUT', '/departure-reports/reports/111122223333.json', BUCKET_REGION],
  ]);
  for (const request of requests) expect(Object.keys(request.headers).filter((h) => h.startsWith('x-amz-acl') || h.startsWith('x-amz-grant'))).toEqual([]);
  expect(JSON.parse(requests[1]!.body)).toMatchObject({ accountId: '111122223333', mode: 'plan' });
});

test('a client that does not follow redirects would have failed (the check above is not vacuous)', async () => {
  const plain = new S3Client({ region: 'us-east-1', forcePathStyle: true, followRegionRedirects: false });
  await expect(saveReportToBucket(plain, 'departure-reports', report('111122223333', 'plan', []))).rejects.toMatchObject({ $metadata: { httpStatusCode: 301 } });
});
