// Campaign link clicks. Every tenant sends a few campaigns to its consenting subscribers (email
// and SMS); some messages get clicked. Most clicks happen on the recipient's own device; a
// forwarded message is clicked on somebody else's device (a household member's or a friend's),
// so that click's link between device and subscriber is false.
import { DAY_MS } from './activity.js';
import type { Person } from './people.js';
import type { World } from './world.js';

/** Days of the period on which every tenant sends a campaign. */
const CAMPAIGN_DAYS = [20, 45, 70];
// Clicks arrive within two days of the send.
const CLICK_WINDOW_MS = 2 * DAY_MS;
// A forwarded message goes to a household member (when one shops there) this often, else to a friend.
const FORWARD_WITHIN_HOUSEHOLD = 0.5;

export function simulateCampaignClicks(world: World): void {
  const { random, rates, people } = world;
  const householdMembers = groupByHousehold(people);
  for (const day of CAMPAIGN_DAYS) {
    const sentAt = world.start + day * DAY_MS;
    for (const subscription of world.subscriptions) {
      if (!subscription.consent || subscription.time >= sentAt) continue;
      if (!random.chance(rates.population.campaignClick)) continue;
      const recipient = people[subscription.person];
      const clicker = random.chance(rates.noise.forwardedClick)
        ? forwardee(world, recipient, subscription.tenant, householdMembers)
        : recipient;
      const onTablet = clicker.tablet !== null && random.chance(rates.population.tabletVisit);
      world.emit({
        tenant: subscription.tenant,
        actor: clicker.index,
        type: 'link_click',
        time: sentAt + Math.floor(random.next() * CLICK_WINDOW_MS),
        identifiers: { device: onTablet ? clicker.tablet! : random.pick(clicker.devices) },
        recipient: subscription.subscriber,
      });
    }
  }
}

function forwardee(world: World, sender: Person, tenant: number, householdMembers: Map<number, Person[]>): Person {
  const { random, people } = world;
  const household = householdMembers.get(sender.household)!.filter((p) => p !== sender && p.tenants.includes(tenant));
  if (household.length > 0 && random.chance(FORWARD_WITHIN_HOUSEHOLD)) return random.pick(household);
  const members = world.members[tenant];
  if (members.length < 2) return sender;
  for (;;) {
    const friend = people[random.pick(members)];
    if (friend !== sender) return friend;
  }
}

function groupByHousehold(people: Person[]): Map<number, Person[]> {
  const households = new Map<number, Person[]>();
  for (const person of people) {
    const members = households.get(person.household);
    if (members) members.push(person);
    else households.set(person.household, [person]);
  }
  return households;
}
