/// PagerDuty integration: webhook verification, REST and Events API clients.
package enum PagerDutyModule {}
