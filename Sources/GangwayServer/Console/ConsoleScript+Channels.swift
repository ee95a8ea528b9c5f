extension ConsoleScript {
    /// The channels table: one row per channel (`tr[data-channel]`, cells `td[data-field]`), its rates
    /// computed from two successive readings of the channel's `activity` totals.
    static let channels = #"""
        // MARK: channels

        const RATE_FIELDS = ['received', 'refused', 'forwarded', 'dead'];
        const CHANNEL_CELLS = [
          ['id', 'mono'], ['provider', ''], ['url', 'mono url'],
          ['received', 'num'], ['refused', 'num'], ['forwarded', 'num'], ['dead', 'num'],
          ['verificationFailures', 'num'], ['pending', 'num'], ['oldestPendingAge', 'num'],
        ];
        const MIN_RATE_INTERVAL = 1; // seconds: two readings closer than this give no rate
        const channelRows = new Map(); // channel id -> { row, cells }
        const readings = new Map();    // channel id -> { at, activity, rates }

        async function refreshChannels() {
          renderChannels(await api('GET', '/admin/channels'));
        }

        function renderChannels(data) {
          const items = itemsOf(data).filter((channel) => channel && channel.id !== undefined);
          const now = performance.now();
          const body = $('channels-body');
          const seen = new Set();
          items.forEach((channel, index) => {
            const id = String(channel.id);
            seen.add(id);
            let entry = channelRows.get(id);
            if (!entry) {
              entry = channelRow(id);
              channelRows.set(id, entry);
            }
            if (body.children[index] !== entry.row) body.insertBefore(entry.row, body.children[index] || null);
            fillChannel(entry, channel, now);
          });
          for (const [id, entry] of channelRows) {
            if (seen.has(id)) continue;
            entry.row.remove();
            channelRows.delete(id);
            readings.delete(id);
          }
          $('channels-empty').hidden = items.length > 0;
          updateChannelChoices(items);
        }

        function channelRow(id) {
          const cells = {};
          const row = el('tr', {
            dataset: { channel: id }, tabindex: '0', title: 'Watch this channel\'s webhooks',
            onclick: () => selectChannel(id),
            onkeydown: (event) => { if (event.key === 'Enter') selectChannel(id); },
          });
          for (const [field, className] of CHANNEL_CELLS) {
            cells[field] = el('td', { class: className, dataset: { field } });
            row.append(cells[field]);
          }
          row.classList.toggle('selected', id === liveChannel);
          return { row, cells };
        }

        // Per second, between the previous reading and this one; null for a counter that went back
        // (the gateway restarted). The first reading, or one too close to the last, gives the last rates.
        function ratesOf(id, activity, now) {
          const last = readings.get(id);
          if (!last) {
            readings.set(id, { at: now, activity, rates: null });
            return null;
          }
          const seconds = (now - last.at) / 1000;
          if (seconds < MIN_RATE_INTERVAL) return last.rates;
          const rates = {};
          for (const field of RATE_FIELDS) {
            const delta = Number(activity[field]) - Number(last.activity[field]);
            rates[field] = Number.isFinite(delta) && delta >= 0 ? delta / seconds : null;
          }
          readings.set(id, { at: now, activity, rates });
          return rates;
        }

        function formatRate(rate) {
          if (rate === null || rate === undefined) return '…';
          if (rate === 0) return '0';
          return rate < 10 ? rate.toFixed(2) : rate.toFixed(1);
        }

        function fillChannel(entry, channel, now) {
          const cells = entry.cells;
          const id = String(channel.id);
          const activity = channel.activity && typeof channel.activity === 'object' ? channel.activity : {};
          setText(cells.id, id);
          cells.id.title = channel.name ? 'Name: ' + channel.name + ' · chatbot ' + channel.chatbotId : '';
          setText(cells.provider, channel.provider);
          cells.provider.title = 'delivery: ' + channel.delivery + ' · verification: ' + channel.verification;
          setText(cells.url, channel.url);
          const rates = ratesOf(id, activity, now);
          for (const field of RATE_FIELDS) {
            const rate = rates ? rates[field] : null;
            setText(cells[field], formatRate(rate));
            cells[field].dataset.rate = rate === null || rate === undefined ? '' : String(rate);
            cells[field].dataset.total = String(activity[field] ?? '');
            cells[field].title = (activity[field] ?? 0) + ' ' + field + ' since the gateway started';
          }
          setText(cells.verificationFailures, activity.verificationFailures ?? 0);
          cells.verificationFailures.classList.toggle('alert', Number(activity.verificationFailures) > 0);
          setText(cells.pending, channel.pending ?? 0);
          const age = channel.oldestPendingAgeSeconds;
          setText(cells.oldestPendingAge, formatAge(age));
          cells.oldestPendingAge.dataset.seconds = age === null || age === undefined ? '' : String(age);
        }

        function resetChannels() {
          channelRows.clear();
          readings.clear();
          $('channels-body').replaceChildren();
          $('channels-empty').hidden = true;
        }

        """#
}
