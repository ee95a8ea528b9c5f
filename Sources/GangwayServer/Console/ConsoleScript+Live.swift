extension ConsoleScript {
    /// The live view of one channel: its last webhooks (`li[data-sequence]`), newest first, asked for
    /// with `after=` the highest sequence seen, each with its outcome, status and normalized calls.
    static let live = #"""
        // MARK: live webhooks of one channel

        const LIVE_KEEP = 50;
        let liveChannel = null; // the channel watched
        let liveAfter = 0;      // the highest sequence shown

        function updateChannelChoices(items) {
          const select = $('live-channel');
          const ids = items.map((channel) => String(channel.id));
          const shown = Array.from(select.options, (option) => option.value);
          if (shown.join('\n') !== ids.join('\n')) {
            select.replaceChildren(...items.map((channel) =>
              el('option', { value: String(channel.id), text: channel.id + ' (' + channel.provider + ')' })));
          }
          if (liveChannel === null || !ids.includes(liveChannel)) selectChannel(ids.length > 0 ? ids[0] : null);
          else if (select.value !== liveChannel) select.value = liveChannel;
        }

        function selectChannel(id) {
          if (id === liveChannel) return;
          liveChannel = id;
          liveAfter = 0;
          $('live-list').replaceChildren();
          $('live-empty').hidden = false;
          if (id !== null) $('live-channel').value = id;
          for (const [rowId, entry] of channelRows) entry.row.classList.toggle('selected', rowId === id);
          refreshLive().catch((error) => { if (!quiet(error)) setStatus('Live view: ' + describe(error), true); });
        }

        async function refreshLive() {
          const id = liveChannel;
          const after = liveAfter;
          if (id === null) return;
          const query = after > 0 ? '?after=' + after : '';
          const data = await api('GET', '/admin/channels/' + encodeURIComponent(id) + '/recent' + query);
          if (id !== liveChannel) return;
          const list = $('live-list');
          // Newest first: prepend the oldest new one first, so that the newest ends on top.
          for (const webhook of itemsOf(data).slice().reverse()) {
            const sequence = Number(webhook && webhook.sequence);
            if (!Number.isFinite(sequence) || sequence <= liveAfter) continue;
            list.prepend(webhookItem(webhook));
            liveAfter = sequence;
          }
          while (list.children.length > LIVE_KEEP) list.lastElementChild.remove();
          $('live-empty').hidden = list.children.length > 0;
        }

        function webhookItem(webhook) {
          const outcome = String(webhook.outcome ?? '');
          const path = (webhook.method || '') + ' ' + (webhook.subpath || '/');
          const head = el('div', { class: 'webhook-head' },
            el('span', { class: 'mono', title: webhook.receivedAt || '', text: formatTime(webhook.receivedAt) }),
            el('span', { class: 'mono', text: path }),
            el('span', { class: badgeClass(outcome), dataset: { field: 'outcome' }, text: outcome || '—' }),
            el('span', { class: 'mono', dataset: { field: 'status' }, text: 'HTTP ' + webhook.status }),
            el('span', { class: 'muted mono', text: '#' + webhook.sequence }),
            webhook.traceId ? el('span', { class: 'muted mono', title: 'trace id', text: 'trace ' + webhook.traceId }) : null);
          const calls = Array.isArray(webhook.calls) ? webhook.calls : [];
          const body = calls.length > 0
            ? el('ul', { class: 'calls' }, calls.map(callItem))
            : el('p', { class: 'muted hint', text: 'No call: nothing was stored or forwarded.' });
          return el('li', { dataset: { sequence: String(webhook.sequence), outcome } }, head, body);
        }

        // What the call says, in a few words: the event, or the message's type and text.
        function callPreview(envelope) {
          if (!envelope || typeof envelope !== 'object') return '';
          if (typeof envelope.event === 'string') return envelope.event;
          const message = envelope.message && typeof envelope.message === 'object' ? envelope.message : null;
          if (!message) return '';
          const text = typeof message.text === 'string' ? message.text : '';
          const short = text.length > 80 ? text.slice(0, 79) + '…' : text;
          return (message.type || 'message') + (short ? ': ' + short : '');
        }

        function callItem(call) {
          const kind = String(call.kind ?? '');
          return el('li', { class: 'call', dataset: { key: String(call.idempotencyKey ?? '') } },
            el('div', { class: 'call-head' },
              el('span', { class: badgeClass(kind), text: kind }),
              el('span', { class: 'mono', dataset: { field: 'idempotencyKey' }, text: call.idempotencyKey ?? '' }),
              el('span', { class: 'muted', text: callPreview(call.envelope) })),
            el('details', {},
              el('summary', { text: 'Envelope' }),
              el('pre', { dataset: { field: 'envelope' }, text: pretty(call.envelope) })));
        }

        function resetLive() {
          liveChannel = null;
          liveAfter = 0;
          $('live-list').replaceChildren();
          $('live-channel').replaceChildren();
          $('live-empty').hidden = false;
        }

        """#
}
