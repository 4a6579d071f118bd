import { simulateShops } from './simulator.js';
simulateShops({ seed: 1, people: 20000, noise: 'high' });
