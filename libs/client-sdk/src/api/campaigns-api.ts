import { validateCampaign, type CampaignCancelOutcome, type CampaignSelectionView, type CampaignDryRun, type CampaignView } from '@dane/protocol';

export type { CampaignCancelOutcome, CampaignCounts, CampaignDryRun, CampaignView } from '@dane/protocol';
import type { HttpTransport } from '../http/http-transport';
import { seg } from './paths';

/** What a campaign selects (docs/protocol.md, Campaigns); every given condition must hold. */
export type CampaignSelection = CampaignSelectionView;

export interface CampaignSpec {
  selection: CampaignSelection;
  /** `assign` the key to documents without a task of it, or `rerun` the selected tasks. */
  action: 'assign' | 'rerun';
  /** At most this many of the campaign's tasks unfinished at a time (server default 100). */
  max_in_flight?: number;
  name?: string;
  /** assign: the new tasks' priority and args. */
  priority?: number;
  args?: Record<string, unknown>;
}

/** The /DANE/campaigns routes (docs/protocol.md, Campaigns). */
export class CampaignsApi {
  constructor(private readonly http: HttpTransport) {}

  /** POST /DANE/campaigns/: stores and starts the campaign. A body the server would refuse is not sent (BadRequestError). */
  async create(spec: CampaignSpec): Promise<CampaignView> {
    return (await this.http.request<CampaignView>('POST', '/DANE/campaigns/', { body: { ...spec, dry_run: false }, check: validateCampaign })).body;
  }

  /** POST /DANE/campaigns/ with dry_run: the counts and a sample; nothing changes. */
  async dryRun(spec: CampaignSpec): Promise<CampaignDryRun> {
    return (await this.http.request<CampaignDryRun>('POST', '/DANE/campaigns/', { body: { ...spec, dry_run: true }, check: validateCampaign })).body;
  }

  async get(id: string): Promise<CampaignView> {
    return (await this.http.get<CampaignView>(`/DANE/campaigns/${seg(id)}`)).body;
  }

  /** Newest first, one page. */
  async list(page = 1, size = 100): Promise<{ total: number; campaigns: CampaignView[] }> {
    return (await this.http.get<{ total: number; campaigns: CampaignView[] }>(`/DANE/campaigns/?page=${page}&size=${size}`)).body;
  }

  async pause(id: string): Promise<CampaignView> {
    return (await this.http.request<CampaignView>('POST', `/DANE/campaigns/${seg(id)}/pause`)).body;
  }

  async resume(id: string): Promise<CampaignView> {
    return (await this.http.request<CampaignView>('POST', `/DANE/campaigns/${seg(id)}/resume`)).body;
  }

  /** Stops feeding and cancels the campaign's unfinished tasks (`cascade`: their dependants too). */
  async cancel(id: string, options: { cascade?: boolean } = {}): Promise<CampaignCancelOutcome> {
    return (await this.http.request<CampaignCancelOutcome>('POST', `/DANE/campaigns/${seg(id)}/cancel${options.cascade ? '?cascade=true' : ''}`)).body;
  }
}
