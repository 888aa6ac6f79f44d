import { describe, expect, it } from 'vitest';
import { fold } from '../../src/domain/decider.js';
import { reportDecider, type ReportCommand, type ReportEvent } from '../../src/domain/report.js';
import { given } from './givenWhenThen.js';

const messageId = 'a1b2c3d4-0000-4000-8000-000000000001';
const threadId = '3d0f6a52-8c1b-4e7a-9f20-5b6c7d8e9f01';
const bobsReport = 'b0b00000-0000-4000-8000-000000000001';
const carolsReport = 'ca201000-0000-4000-8000-000000000002';
const moderator = 'mod-max';

type Review = Extract<ReportCommand, { type: 'ReviewReport' }>['data'];

const report = (
  reporterId: string,
  reason: string,
  { reportId = bobsReport, reporterIsMember = true, messageExists = true } = {},
): ReportCommand => ({
  type: 'ReportMessage',
  data: { reportId, messageId, threadId, reporterId, reason, reporterIsMember, messageExists },
});
const reported = (reporterId: string, reason: string, reportId = bobsReport): ReportEvent => ({
  type: 'MessageReported',
  data: { reportId, messageId, threadId, reporterId, reason },
});
const review = (status: Review['status'], { reportId = bobsReport, moderatorMayModerate = true } = {}): ReportCommand => ({
  type: 'ReviewReport',
  data: { reportId, messageId, status, moderatorId: moderator, note: 'checked', moderatorMayModerate },
});
const reviewed = (status: Review['status'], reportId = bobsReport): ReportEvent => ({
  type: 'ReportReviewed',
  data: { reportId, messageId, status, moderatorId: moderator, note: 'checked' },
});

describe('report decider', () => {
  describe('when the message has no report', () => {
    it('lets a member of the thread report it, with the reason trimmed', () => {
      given(reportDecider).when(report('bob', '  spam  ')).then([reported('bob', 'spam')]);
    });

    it('forbids a non-member to report', () => {
      given(reportDecider).when(report('sam', 'spam', { reporterIsMember: false })).thenThrows('forbidden', 'not_a_member');
    });

    it('reports an unknown message as not found', () => {
      given(reportDecider).when(report('bob', 'spam', { messageExists: false })).thenThrows('not_found', 'message_not_found');
    });

    it.each([
      ['1000 characters', 'r'.repeat(1000)],
      ['1000 emoji, each one character', '🚩'.repeat(1000)],
      ['one character', '!'],
    ])('accepts a reason of %s', (_, reason) => {
      given(reportDecider).when(report('bob', reason)).then([reported('bob', reason)]);
    });

    it.each([
      ['1001 characters', 'r'.repeat(1001)],
      ['1001 emoji', '🚩'.repeat(1001)],
      ['nothing', ''],
      ['only blanks', ' \n '],
    ])('rejects a reason of %s', (_, reason) => {
      given(reportDecider).when(report('bob', reason)).thenThrows('validation', 'invalid_reason');
    });

    it('has no report to review', () => {
      given(reportDecider).when(review('reviewed')).thenThrows('not_found', 'report_not_found');
    });
  });

  describe('when bob reported the message', () => {
    const history = [reported('bob', 'spam')];

    it('refuses a second report by bob, even under a new report id', () => {
      given(reportDecider, history)
        .when(report('bob', 'still spam', { reportId: carolsReport }))
        .thenThrows('conflict', 'already_reported');
    });

    it('accepts a report by another member', () => {
      const state = given(reportDecider, history)
        .when(report('carol', 'abuse', { reportId: carolsReport }))
        .then([reported('carol', 'abuse', carolsReport)]);
      expect(state.reports.size).toBe(2);
    });

    it.each(['reviewed', 'dismissed'] as const)('lets a moderator mark it %s', (status) => {
      const state = given(reportDecider, history).when(review(status)).then([reviewed(status)]);
      expect(state.reports.get(bobsReport)).toStrictEqual({ reporterId: 'bob', status });
    });

    it('forbids a non-moderator to review', () => {
      given(reportDecider, history).when(review('reviewed', { moderatorMayModerate: false })).thenThrows('forbidden', 'not_a_moderator');
    });

    it('rejects an unknown status', () => {
      const pending: string = 'pending';
      given(reportDecider, history)
        .when(review(pending as Review['status']))
        .thenThrows('validation', 'invalid_status');
    });

    it('reports an unknown report id as not found', () => {
      given(reportDecider, history).when(review('reviewed', { reportId: carolsReport })).thenThrows('not_found', 'report_not_found');
    });
  });

  describe.each(['reviewed', 'dismissed'] as const)('when the report was %s', (status) => {
    const history = [reported('bob', 'spam'), reviewed(status)];

    it.each(['reviewed', 'dismissed'] as const)('cannot be marked %s again', (again) => {
      given(reportDecider, history).when(review(again)).thenThrows('conflict', 'already_reviewed');
    });

    it('still refuses a second report by bob', () => {
      given(reportDecider, history)
        .when(report('bob', 'again', { reportId: carolsReport }))
        .thenThrows('conflict', 'already_reported');
    });
  });

  it('folds every report with its status', () => {
    const state = fold(reportDecider, [
      reported('bob', 'spam'),
      reported('carol', 'abuse', carolsReport),
      reviewed('dismissed', carolsReport),
    ]);
    expect(Object.fromEntries(state.reports)).toStrictEqual({
      [bobsReport]: { reporterId: 'bob', status: 'pending' },
      [carolsReport]: { reporterId: 'carol', status: 'dismissed' },
    });
  });

  it('decides the same events for the same command and state', () => {
    const state = fold(reportDecider, [reported('bob', 'spam')]);
    const command = report('carol', ' abuse ', { reportId: carolsReport });
    expect(reportDecider.decide(command, state)).toStrictEqual(reportDecider.decide(command, state));
    expect(state.reports.size).toBe(1);
  });
});
