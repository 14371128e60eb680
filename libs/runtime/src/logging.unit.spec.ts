import { loggableUrl } from './logging.module';

describe('request URLs as logged', () => {
  it('redacts secret-named parameters, token-shaped text and the configured ADMIN_TOKEN', () => {
    const admin = 'dev-admin-token-0123456789';
    expect(loggableUrl('/v1/admin/counters?token=abc&limit=5', admin)).toBe(
      '/v1/admin/counters?token=[redacted]&limit=5',
    );
    expect(loggableUrl('/v1/admin/x/cvn_tok_0a1b2c3d_SeCrEt-_x?y=1', admin)).toBe('/v1/admin/x/cvn_[redacted]?y=1');
    expect(loggableUrl(`/v1/kpis?q=${admin}`, admin)).toBe('/v1/kpis?q=[redacted]');
    expect(loggableUrl('/v1/kpis?Password=p%20w&kpi=arrivals')).toBe('/v1/kpis?Password=[redacted]&kpi=arrivals');
    expect(loggableUrl('/v1/kpis?%E0%A4%A=1')).toBe('/v1/kpis?%E0%A4%A=1');
    expect(loggableUrl('/v1/kpis')).toBe('/v1/kpis');
  });
});
