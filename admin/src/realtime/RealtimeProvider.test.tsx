import { useQuery } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeSocket } from '../test/fakeSocket';
import { TestAdmin } from '../test/TestAdmin';

/** Shows how many times its query ran, so a refetch is visible on screen. */
function LoadCounter() {
    const loads = useQuery({ queryKey: ['loads'], queryFn: countLoad });
    return <span data-testid="loads">{loads.data}</span>;
}

let loadCount = 0;
async function countLoad(): Promise<number> {
    loadCount += 1;
    return loadCount;
}

describe('RealtimeProvider', () => {
    it('reconnects and reloads after a server disconnect', async () => {
        loadCount = 0;
        const socket = new FakeSocket();
        render(
            <TestAdmin socket={socket}>
                <LoadCounter />
            </TestAdmin>
        );
        expect(await screen.findByText('1')).toBeTruthy();

        act(() => socket.serverDisconnect());

        expect(socket.connects).toBe(1);
        expect(socket.connected).toBe(true);
        await screen.findByText('2');
    });

    it('leaves network drops to Socket.IO', async () => {
        const socket = new FakeSocket();
        render(
            <TestAdmin socket={socket}>
                <LoadCounter />
            </TestAdmin>
        );
        await screen.findByTestId('loads');

        act(() => socket.serverDisconnect('transport close'));

        expect(socket.connects).toBe(0);
    });
});
