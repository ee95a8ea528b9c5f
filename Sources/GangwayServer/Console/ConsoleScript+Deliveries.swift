extension ConsoleScript {
    /// Dead letters (`tr[data-delivery]`, each followed by its envelope row), replay, replay all,
    /// purge, and the lookup of one delivery, refreshed while it is shown.
    static let deliveries = #"""
        // MARK: dead letters

        const DEAD_LIMIT = 100;
        const DEAD_CELLS = [
          ['id', 'mono'], ['channel', 'mono'], ['kind', ''], ['attempts', 'num'], ['lastStatus', 'num'],
          ['lastError', 'error-text'], ['idempotencyKey', 'mono key'], ['createdAt', ''],
        ];
        const deadRows = new Map(); // delivery id -> { row, detail, cells, pre }

        async function refreshDeadLetters() {
          const data = await api('GET', '/admin/deliveries?state=dead&limit=' + DEAD_LIMIT);
          renderDeadLetters(itemsOf(data).filter((d) => d && d.id !== undefined));
        }

        function renderDeadLetters(items) {
          const body = $('dead-body');
          const seen = new Set();
          let before = body.firstChild;
          for (const delivery of items) {
            const id = String(delivery.id);
            seen.add(id);
            let entry = deadRows.get(id);
            if (!entry) {
              entry = deadLetterRows(id);
              deadRows.set(id, entry);
            }
            if (before !== entry.row) {
              body.insertBefore(entry.row, before);
              body.insertBefore(entry.detail, before);
            }
            before = entry.detail.nextSibling;
            fillDeadLetter(entry, delivery);
          }
          for (const [id, entry] of deadRows) {
            if (seen.has(id)) continue;
            entry.row.remove();
            entry.detail.remove();
            deadRows.delete(id);
          }
          const count = items.length;
          $('dead-count').textContent = count >= DEAD_LIMIT ? '(the newest ' + DEAD_LIMIT + ')' : '(' + count + ')';
          $('dead-letters').hidden = count === 0;
          $('dead-empty').hidden = count > 0;
          $('replay-all').disabled = count === 0;
          $('purge').disabled = count === 0;
        }

        function deadLetterRows(id) {
          const cells = {};
          const row = el('tr', { class: 'delivery', dataset: { delivery: id } });
          for (const [field, className] of DEAD_CELLS) {
            cells[field] = el('td', { class: className, dataset: { field } });
            row.append(cells[field]);
          }
          const replay = el('button', { type: 'button', dataset: { action: 'replay' }, text: 'Replay' });
          replay.addEventListener('click', () => replayOne(id, replay));
          const look = el('button', { type: 'button', dataset: { action: 'lookup' }, text: 'Look up', onclick: () => lookUp(id) });
          row.append(el('td', { class: 'actions' }, replay, look));
          const pre = el('pre', { dataset: { field: 'envelope' } });
          const summary = el('summary', { text: 'Envelope' });
          const detail = el('tr', { class: 'detail', dataset: { envelopeOf: id } },
            el('td', { colspan: String(DEAD_CELLS.length + 1) }, el('details', {}, summary, pre)));
          return { row, detail, cells, pre, summary };
        }

        function fillDeadLetter(entry, delivery) {
          for (const [field] of DEAD_CELLS) {
            setText(entry.cells[field], field === 'createdAt' ? formatTime(delivery.createdAt) : delivery[field]);
          }
          entry.cells.createdAt.title = delivery.createdAt || '';
          setText(entry.summary, 'Envelope (' + (delivery.kind || 'call') + ' to the chatbot API, ' + (delivery.provider || '') + ')');
          setText(entry.pre, pretty(delivery.envelope));
        }

        function resetDeliveries() {
          deadRows.clear();
          $('dead-body').replaceChildren();
          $('dead-letters').hidden = true;
          $('dead-empty').hidden = false;
          $('dead-count').textContent = '';
          report('');
          watched = null;
          $('lookup-id').value = '';
          $('lookup-result').hidden = true;
          showLookupMessage('');
        }

        // MARK: actions, each answered {"count": N}

        function report(text, isError) {
          const node = $('action-result');
          node.textContent = text ? new Date().toLocaleTimeString() + ' · ' + text : '';
          node.className = isError ? 'message error' : 'message';
          node.hidden = !text;
        }

        function calls(count) { return count + (Number(count) === 1 ? ' call' : ' calls'); }

        async function replayOne(id, button) {
          button.disabled = true;
          try {
            const answer = await api('POST', '/admin/deliveries/' + encodeURIComponent(id) + '/replay');
            report('Replayed delivery ' + id + ': ' + calls(answer && answer.count) + ' back in the queue. Its state is shown under "Look up a delivery".');
            lookUp(id);
          } catch (error) {
            if (quiet(error)) return;
            report('Replay of delivery ' + id + ' failed: ' + describe(error), true);
            button.disabled = false;
          }
          await refreshDeadLetters().catch(() => {});
        }

        async function replayAll() {
          const button = $('replay-all');
          button.disabled = true;
          try {
            const answer = await api('POST', '/admin/deliveries/replay');
            report('Replayed every dead letter: ' + calls(answer && answer.count) + ' back in the queue.');
          } catch (error) {
            if (quiet(error)) return;
            report('Replay of all dead letters failed: ' + describe(error), true);
          }
          await refreshDeadLetters().catch(() => {});
        }

        async function purgeDeadLetters() {
          if (!confirm('Delete every dead letter? They cannot be replayed afterwards.')) return;
          const button = $('purge');
          button.disabled = true;
          try {
            const answer = await api('DELETE', '/admin/deliveries?state=dead');
            const count = answer && answer.count;
            report('Purged ' + count + (Number(count) === 1 ? ' dead letter.' : ' dead letters.'));
          } catch (error) {
            if (quiet(error)) return;
            report('Purge failed: ' + describe(error), true);
          }
          await refreshDeadLetters().catch(() => {});
        }

        // MARK: the lookup of one delivery

        let watched = null; // the id shown, refreshed at every round

        function showLookupMessage(text, isError) {
          const node = $('lookup-message');
          node.textContent = text || '';
          node.className = isError ? 'message error' : 'message';
          node.hidden = !text;
        }

        function lookUp(value) {
          const id = String(value);
          if (!/^[0-9]+$/.test(id)) {
            showLookupMessage('A delivery id is a number (the first column of the dead letters).', true);
            return;
          }
          if (watched !== id) $('lookup-result').hidden = true;
          watched = id;
          $('lookup-id').value = id;
          showLookupMessage('');
          refreshLookup().catch((error) => { if (!quiet(error)) showLookupMessage(describe(error), true); });
        }

        async function refreshLookup() {
          const id = watched;
          if (id === null) return;
          let delivery;
          try {
            delivery = await api('GET', '/admin/deliveries/' + encodeURIComponent(id));
          } catch (error) {
            if (error.status === 404 && watched === id) {
              $('lookup-result').hidden = true;
              showLookupMessage('There is no delivery ' + id + ' (a purged dead letter is gone).', true);
              return;
            }
            throw error;
          }
          if (watched !== id || !delivery) return;
          const result = $('lookup-result');
          for (const node of result.querySelectorAll('[data-field]')) {
            const field = node.dataset.field;
            const value = delivery[field];
            if (field === 'envelope') setText(node, pretty(value));
            else if (field.endsWith('At')) {
              setText(node, formatTime(value));
              node.title = value || '';
            } else setText(node, value);
          }
          result.querySelector('[data-field="state"]').className = badgeClass(String(delivery.state));
          showLookupMessage('');
          result.hidden = false;
        }

        """#
}
