import type { Clock } from '../../infra/timing/clock.js';
import { type AlertEvaluatorOptions, startAlertEvaluator } from './alertEvaluator.js';
import { type NotifierServices, startNotifier } from './notifier.js';

export type AlertingServices = Omit<AlertEvaluatorOptions, 'clock'> &
  Pick<NotifierServices, 'secretCipher' | 'mailSender'> & { clock?: Clock };

/**
 * Alerting in a processors process: the evaluator, which decides what alerts do (one leader
 * across processes), and the notifier, which tells the channels each decision names (one
 * consumer group across processes). Stopping ends the evaluator first, so no decision is made
 * that the notifier would no longer pick up in this process; the group hands it to another.
 */
export const startAlerting = async (services: AlertingServices) => {
  const evaluator = await startAlertEvaluator(services);
  const notifier = await startNotifier({
    eventStore: services.eventStore,
    log: services.log,
    logger: services.logger,
    secretCipher: services.secretCipher,
    mailSender: services.mailSender,
    ...(services.eventsTopic !== undefined && { eventsTopic: services.eventsTopic }),
  }).catch(async (error: unknown) => {
    await evaluator.stop();
    throw error;
  });
  return {
    evaluator,
    async stop() {
      await evaluator.stop();
      await notifier.stop();
    },
  };
};
